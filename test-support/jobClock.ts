import type { TestClock } from "pg-boss";
import type { Workers } from "@/server/jobs/workers";

/**
 * Job-queue time in tests that run the real workers on pg-boss's test clock.
 * One second on the clock, and the jobs it started finished. A tick starts
 * the queue's poll, whose fetch may not have returned when `settled()`
 * first looks, so it looks again a moment later.
 */
export async function tickSettled(clock: TestClock, workers: Pick<Workers, "settled">) {
  await clock.tick(1_000);
  await workers.settled();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await workers.settled();
}

/** Moves the clock on by `ms`, the last 3 s a second at a time, so the queue's pollers run and the jobs finish. */
export async function advanceSettled(clock: TestClock, workers: Pick<Workers, "settled">, ms: number) {
  if (ms > 3_000) await clock.setTime(clock.now() + ms - 3_000);
  for (let i = 0; i < 3; i++) await tickSettled(clock, workers);
}
