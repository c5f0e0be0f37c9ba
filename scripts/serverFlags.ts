/**
 * The Node flags the server process runs with (scripts/start.ts spawns it
 * with them; the benchmark does the same). V8 sizes its heap for the machine
 * (gigabytes here) and collects lazily: under load the server grew to about
 * 350 MB while it kept about 60 MB alive. A 192 MB old generation (three
 * times that) and 4 MB young semi-spaces keep it near 230 MB, with
 * collections that stay cheap because so little is alive.
 * `LAYERS_HEAP_MB` sets the old generation's size; a `--max-old-space-size`
 * in NODE_OPTIONS wins over both.
 */
export function serverNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.NODE_OPTIONS?.includes("--max-old-space-size")) return [];
  const heapMb = Number(env.LAYERS_HEAP_MB || 192);
  if (!Number.isInteger(heapMb) || heapMb < 64) throw new Error(`LAYERS_HEAP_MB must be a whole number of megabytes, at least 64 (got "${env.LAYERS_HEAP_MB}")`);
  return [`--max-old-space-size=${heapMb}`, "--max-semi-space-size=4"];
}
