/** Memory and CPU of a server's whole process tree, read from /proc while it is under load. */
import { readdirSync, readFileSync } from "node:fs";
import { RSS_SAMPLE_MS } from "./settings";

/** The process and all its descendants, from the ppid field of /proc/<pid>/stat. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  } catch {
    return 0;
  }
}
const TICK_MS = 10;

/**
 * CPU ticks of the root process's threads by kind: "main" for the JavaScript
 * thread, the others by their thread name without numbers (V8's GC helpers
 * are "V8 DefaultWorke", libuv's pool "libuv-worker").
 */
function threadTicks(pid: number): Map<string, number> {
  const byKind = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byKind;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const kind = tid === String(pid) ? "main" : comm.replace(/[\d]+/g, "").trim() || "thread";
      byKind.set(kind, (byKind.get(kind) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return byKind;
}

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

export interface TreeUsage {
  peakMb: number | null;
  /** The median sample: steadier than the peak when the heap grows and shrinks with GC. */
  medianMb: number | null;
  /** MB per process ("comm pid") at the peak sample. */
  peakByProcess: Record<string, number>;
  processes: number;
  samples: number;
  cpuMs: number;
  /** CPU ms of the root process's threads by kind ("main", the GC helpers, ...): where the CPU went. */
  cpuMsByThread: Record<string, number>;
  /** Wall time between start and stop. */
  elapsedMs: number;
}

/**
 * Samples the summed VmRSS of a process tree every RSS_SAMPLE_MS; `stop()`
 * gives the peak and median, and the CPU time the tree used in between.
 */
export function sampleTree(rootPid: number) {
  const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuTicks(pid), 0);
  const startedAt = performance.now();
  const cpuAtStart = cpuOf(processTree(rootPid));
  const threadsAtStart = threadTicks(rootPid);
  const kbs: number[] = [];
  let processes = 0;
  let peakKb = 0;
  let peakByProcess: Record<string, number> = {};
  const sample = () => {
    const tree = processTree(rootPid);
    const each = tree.map((pid) => [pid, rssKb(pid)] as const);
    const kb = each.reduce((sum, [, rss]) => sum + rss, 0);
    kbs.push(kb);
    processes = Math.max(processes, tree.length);
    if (kb > peakKb) {
      peakKb = kb;
      // Which processes make up the peak (the app's tree is node and any helper it keeps, e.g. esbuild's service).
      peakByProcess = {};
      for (const [pid, rss] of each) peakByProcess[`${commOf(pid)} ${pid}`] = Math.round(rss / 102.4) / 10;
    }
  };
  sample();
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  return {
    /** CPU ms the tree used so far (for watching it settle). */
    cpuMsSoFar: () => (cpuOf(processTree(rootPid)) - cpuAtStart) * TICK_MS,
    stop(): TreeUsage {
      clearInterval(timer);
      sample();
      const cpuMs = (cpuOf(processTree(rootPid)) - cpuAtStart) * TICK_MS;
      const cpuMsByThread: Record<string, number> = {};
      for (const [kind, ticks] of threadTicks(rootPid)) cpuMsByThread[kind] = (ticks - (threadsAtStart.get(kind) ?? 0)) * TICK_MS;
      const sorted = kbs.filter((kb) => kb > 0).sort((a, b) => a - b);
      const mb = (kb: number | undefined) => (kb ? kb / 1024 : null);
      return {
        peakMb: mb(sorted.at(-1)),
        medianMb: mb(sorted[Math.floor(sorted.length / 2)]),
        peakByProcess,
        processes,
        samples: kbs.length,
        cpuMs,
        cpuMsByThread,
        elapsedMs: performance.now() - startedAt,
      };
    },
  };
}

/** Open file descriptors (sockets included) of the whole tree. */
export function openFds(rootPid: number): number {
  return processTree(rootPid).reduce((sum, pid) => {
    try {
      return sum + readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return sum;
    }
  }, 0);
}

/**
 * Waits until the tree has used under `quietPct` % of one core for a whole
 * 500 ms step (work queued by a burst of requests is done), at most `maxMs`.
 * Returns whether it got quiet.
 */
export async function waitUntilQuiet(rootPid: number, maxMs = 10_000, quietPct = 10): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const step = sampleTree(rootPid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (step.stop().cpuMs <= 5 * quietPct) return true;
  }
  return false;
}
