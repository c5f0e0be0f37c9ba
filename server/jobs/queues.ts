import type { Queue } from "pg-boss";

/**
 * The queues, with how their jobs are retried and kept.
 *
 * account-refresh is `exclusive` keyed by account id: one refresh job per
 * account, waiting, running or waiting to be retried, however often sweeps
 * find the account due. A failure that may pass (a timeout, a 5xx,
 * throttling) is retried after about 30 s, then with exponential backoff up
 * to an hour, and no sweep adds another job meanwhile; the account is
 * unchanged. A job whose worker died is taken up again once it expires.
 *
 * The sweeps are `singleton` (one runs at a time) and sent throttled, one per
 * interval, by every process that runs workers (server/jobs/workers.ts).
 */
export const QUEUES = {
  accountRefresh: {
    name: "account-refresh",
    options: { policy: "exclusive", retryLimit: 6, retryDelay: 30, retryBackoff: true, retryDelayMax: 3_600, expireInSeconds: 180, deleteAfterSeconds: 86_400 },
  },
  refreshSweep: {
    name: "refresh-sweep",
    options: { policy: "singleton", retryLimit: 1, expireInSeconds: 600, deleteAfterSeconds: 3_600 },
  },
  // One job per try of a delivery (server/webhooks/deliver.ts), sent in the same transaction as the event or the
  // failed try before it, with the retry schedule's startAfter. pg-boss's own retries only cover a worker that
  // died mid-send: the try is recorded once (keyed by its number), so it is at least once, never lost.
  webhookDeliver: {
    name: "webhook-deliver",
    options: { policy: "standard", retryLimit: 3, retryDelay: 30, expireInSeconds: 60, deleteAfterSeconds: 86_400, notify: true },
  },
  attemptsSweep: {
    name: "attempts-sweep",
    options: { policy: "singleton", retryLimit: 1, expireInSeconds: 120, deleteAfterSeconds: 3_600 },
  },
} as const satisfies Record<string, { name: string; options: Omit<Queue, "name"> }>;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]["name"];

/** How often abandoned OAuth attempts are ended (the lease of a callback is 60 s). */
export const ATTEMPTS_SWEEP_MS = 60_000;
