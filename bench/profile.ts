/**
 * Summarises the newest V8 CPU profile in bench/results/profile/ (written
 * with BENCH_PROFILE=1): self time by package or source folder, the
 * costliest functions, and our functions by total time (with what they
 * call). `npx tsx bench/profile.ts [file.cpuprofile] [top]`;
 * PROFILE_AREA=postgres (an area as printed) lists that area's functions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SourceMapConsumer } from "source-map-js";
import { RESULTS_DIR } from "./settings";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const dir = join(RESULTS_DIR, "profile");
const file =
  process.argv[2] ||
  join(
    dir,
    readdirSync(dir)
      .filter((name) => name.endsWith(".cpuprofile"))
      .sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs)[0]!,
  );
const top = Number(process.argv[3] ?? 25);
/** PROFILE_AREA=src: list that area's functions by self time as well. */
const focusArea = process.env.PROFILE_AREA;
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

/** Where a function lives: a package, a source folder of ours, Node itself, or V8's own work (GC, idle). */
function area(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native)";
  if (url.startsWith("node:internal/deps/")) return "node:" + url.slice(5).split("/").slice(0, 3).join("/");
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/").slice(0, 2).join("/");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(server|db|scripts|app|\.next)\/([^/]+)/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url.split("/").slice(-2).join("/");
}

/**
 * `next build` minifies: a frame in its chunks is named by the original
 * source and line its source map gives, so the profile reads as our code.
 */
const maps = new Map<string, SourceMapConsumer | null>();
function original(frame: ProfileNode["callFrame"]): ProfileNode["callFrame"] {
  if (!frame.url.includes("/.next/server/")) return frame;
  let map = maps.get(frame.url);
  if (map === undefined) {
    const path = `${fileURLToPath(frame.url.startsWith("file:") ? frame.url : `file://${frame.url}`)}.map`;
    map = existsSync(path) ? new SourceMapConsumer(JSON.parse(readFileSync(path, "utf8"))) : null;
    maps.set(frame.url, map);
  }
  const at = map?.originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber });
  if (!at?.source) return frame;
  const source = at.source.replace(/^.*?\[project\]\//, "").replace(/^turbopack:\/\/+/, "");
  return { functionName: at.name ?? frame.functionName, url: source.includes("node_modules/") ? source : `/.src/${source}`, lineNumber: (at.line ?? 1) - 1, columnNumber: 0 };
}
for (const node of profile.nodes) node.callFrame = original(node.callFrame);

// A server the benchmark stopped (SIGSTOP, while the other took its turn) resumes
// with one sample spanning the whole pause: such a gap counts as one usual interval.
const usualDelta = [...profile.timeDeltas].sort((a, b) => a - b)[profile.timeDeltas.length >> 1] ?? 0;
const deltaUs = (i: number) => {
  const delta = profile.timeDeltas[i] ?? 0;
  return delta > 50 * usualDelta ? usualDelta : delta;
};
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + deltaUs(i) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfMs].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)").reduce((a, [, ms]) => a + ms, 0);

const areas = new Map<string, number>();
const functions = new Map<string, number>();
const focused = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (functionName === "(idle)") continue;
  const where = area(url, functionName);
  areas.set(where, (areas.get(where) ?? 0) + ms);
  const name = `${functionName || "(anonymous)"} ${url ? `${url.split("/").slice(-2).join("/")}:${lineNumber + 1}` : ""}`;
  functions.set(name, (functions.get(name) ?? 0) + ms);
  if (where === focusArea) focused.set(name, (focused.get(name) ?? 0) + ms);
}
const busy = total - idle;
const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
console.log(`${file}\n${(busy / 1000).toFixed(1)} s busy of ${(total / 1000).toFixed(1)} s sampled\n\nSelf time by area:`);
for (const [name, ms] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);
if (focusArea) {
  console.log(`\n${focusArea} by function (self time):`);
  for (const [name, ms] of [...focused].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);
}
console.log("\nCostliest functions (self time):");
for (const [name, ms] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);

// Total time: a sample counts for every function of ours on its stack (once
// each). An async function's stack ends at its last await, so this is the
// time of its synchronous stretches and what they call.
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const ourTotal = new Map<string, number>();
for (const [id, ms] of selfMs) {
  if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
    if (!url.startsWith("/.src/")) continue;
    const name = `${functionName || "(anonymous)"} ${url.slice(6)}:${lineNumber + 1}`;
    if (seen.has(name)) continue;
    seen.add(name);
    ourTotal.set(name, (ourTotal.get(name) ?? 0) + ms);
  }
}
console.log("\nOur functions by total time (their own and what they call, synchronous stretches):");
for (const [name, ms] of [...ourTotal].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);
