/**
 * The Node flags the server process runs with (scripts/start.ts spawns it
 * with them; the benchmark does the same). V8 sizes its heap for the machine
 * (gigabytes here) and collects lazily: under load the server grew to about
 * 350 MB while it kept about 60 MB alive. A 192 MB old generation (three
 * times that) keeps it under 300 MB. The young semi-spaces are 16 MB:
 * in back-to-back `npm run bench` runs on the 2-core machine, 4 MB ones
 * cost 7–9 % more CPU per request (more frequent scavenges; oauth-url 1.09
 * against 1.02 ms, oauth-status 0.43 against 0.39 ms) for about 18 MB less
 * memory, and 32 MB ones bought no CPU for about 35 MB more (over 300 MB).
 * `LAYERS_HEAP_MB` sets the old generation's size; a `--max-old-space-size`
 * in NODE_OPTIONS wins over both.
 */
export function serverNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.NODE_OPTIONS?.includes("--max-old-space-size")) return [];
  const heapMb = Number(env.LAYERS_HEAP_MB || 192);
  if (!Number.isInteger(heapMb) || heapMb < 64) throw new Error(`LAYERS_HEAP_MB must be a whole number of megabytes, at least 64 (got "${env.LAYERS_HEAP_MB}")`);
  return [`--max-old-space-size=${heapMb}`, "--max-semi-space-size=16"];
}
