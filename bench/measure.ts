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

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export interface TreeUsage {
  peakMb: number | null;
  processes: number;
  samples: number;
  cpuMs: number;
}

/**
 * Samples the summed VmRSS of a process tree every RSS_SAMPLE_MS; `stop()`
 * gives the peak, and the CPU time the tree used in between.
 */
export function sampleTree(rootPid: number) {
  const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuTicks(pid), 0);
  const cpuAtStart = cpuOf(processTree(rootPid));
  let peakKb = 0;
  let processes = 0;
  let samples = 0;
  const sample = () => {
    const tree = processTree(rootPid);
    const kb = tree.reduce((sum, pid) => sum + rssKb(pid), 0);
    samples++;
    if (kb > peakKb) peakKb = kb;
    processes = Math.max(processes, tree.length);
  };
  sample();
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  return {
    stop(): TreeUsage {
      clearInterval(timer);
      sample();
      const cpuMs = (cpuOf(processTree(rootPid)) - cpuAtStart) * TICK_MS;
      return { peakMb: peakKb ? peakKb / 1024 : null, processes, samples, cpuMs };
    },
  };
}
