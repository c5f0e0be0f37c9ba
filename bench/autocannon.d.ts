// autocannon 9 ships no types; this declares the part of its programmatic API
// bench/run.ts uses. (Ambient file: no top-level import or export.)
declare module "autocannon" {
  interface AutocannonOptions {
    url: string;
    method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request counts as a timeout. */
    timeout?: number;
    pipelining?: number;
    workers?: number;
  }

  /** Percentiles as autocannon names them: p50, p97_5, p99, p99_9, ... */
  interface AutocannonHistogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p1: number;
    p2_5: number;
    p10: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
    p99_99: number;
    [percentile: `p${string}`]: number;
  }

  interface AutocannonResult {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    start: Date;
    finish: Date;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    "1xx": number;
    "2xx": number;
    "3xx": number;
    "4xx": number;
    "5xx": number;
    statusCodeStats: Record<string, { count: number }>;
    /** Milliseconds, 2xx responses only. */
    latency: AutocannonHistogram & { totalCount: number };
    /** Per-second samples of completed requests; `total` is all of them. */
    requests: AutocannonHistogram & { sent: number };
    throughput: AutocannonHistogram;
  }

  interface AutocannonInstance extends PromiseLike<AutocannonResult> {
    stop(): void;
  }

  function autocannon(opts: AutocannonOptions): AutocannonInstance;

  export default autocannon;
  export type { AutocannonHistogram, AutocannonInstance, AutocannonOptions, AutocannonResult };
}
