/**
 * Steady load for the fault suite: `concurrency` loops, each sending the next
 * request of a small mix as soon as its last one is answered, recording every
 * answer. A request with no answer within ANSWER_DEADLINE_MS counts as
 * unanswered (the suite counts those; it never fails on a latency figure).
 */
import { performance } from "node:perf_hooks";
import { bearer, RETURN_URL } from "./layers";

export const ANSWER_DEADLINE_MS = 10_000;

export interface Sample {
  /** When it was sent and answered, in performance.now() milliseconds. */
  sentAt: number;
  ms: number;
  name: string;
  /** 0 when there was no answer (refused connection, reset, deadline). */
  status: number;
  /** The body parsed as JSON with the error model where not 2xx. */
  json: boolean;
  code?: string;
  retryAfter: boolean;
  requestId: boolean;
  rateHeaders: boolean;
  failure?: string;
}

export interface Request {
  name: string;
  url: string;
  init?: RequestInit;
}

export interface Load {
  samples: Sample[];
  stop(): Promise<Sample[]>;
}

export async function measure(request: Request): Promise<Sample> {
  const sentAt = performance.now();
  try {
    const res = await fetch(request.url, { ...request.init, redirect: "manual", signal: AbortSignal.timeout(ANSWER_DEADLINE_MS) });
    const text = await res.text();
    let json = false;
    let code: string | undefined;
    try {
      const body = JSON.parse(text);
      code = body?.error?.code;
      json = res.ok || (typeof code === "string" && typeof body.error.message === "string");
    } catch {
      json = false;
    }
    return {
      sentAt,
      ms: performance.now() - sentAt,
      name: request.name,
      status: res.status,
      json,
      code,
      retryAfter: res.headers.has("retry-after"),
      requestId: res.headers.has("x-request-id"),
      rateHeaders: res.headers.has("x-ratelimit-remaining"),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      sentAt,
      ms: performance.now() - sentAt,
      name: request.name,
      status: 0,
      json: false,
      retryAfter: false,
      requestId: false,
      rateHeaders: false,
      failure: cause ?? (error as Error).name,
    };
  }
}

export function startLoad(requests: Request[], concurrency: number): Load {
  const samples: Sample[] = [];
  let running = true;
  let next = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      const request = requests[next++ % requests.length]!;
      const sample = await measure(request);
      samples.push(sample);
      // A refused connection answers at once: do not spin while a server restarts.
      if (sample.status === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** "n=…, p50 …, p99 …, max … ms": the timings the suite prints, never asserts. */
export function timings(samples: Sample[]): string {
  const ms = samples.map((s) => s.ms);
  const f = (v: number) => v.toFixed(v < 10 ? 1 : 0);
  return `n=${ms.length}, p50 ${f(percentile(ms, 50))} ms, p99 ${f(percentile(ms, 99))} ms, max ${f(Math.max(0, ...ms))} ms`;
}

/** Counts of `key(sample)`, for assertions that read as a table. */
export function countBy(samples: Sample[], key: (s: Sample) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[key(s)] = (counts[key(s)] ?? 0) + 1;
  return counts;
}

/** One line of figures for the CI log and the README. */
export function report(scenario: string, figures: Record<string, string | number>) {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}: ${value}`)
    .join("; ");
  console.log(`[faults] ${scenario}: ${text}`);
}

/** The mix the load sends: reads and writes with the test key (the database and the limiter on every one). */
export function steadyMix(baseUrl: string, projectId: string, key: string, state: string): Request[] {
  const headers = bearer(key);
  return [
    { name: "status", url: `${baseUrl}/v1/social/oauth-status/${state}`, init: { headers } },
    {
      name: "oauth-url",
      url: `${baseUrl}/v1/projects/${projectId}/social/oauth-url`,
      init: { method: "POST", headers, body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }) },
    },
    { name: "accounts", url: `${baseUrl}/v1/projects/${projectId}/social/accounts`, init: { headers } },
  ];
}
