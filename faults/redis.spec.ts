import { performance } from "node:perf_hooks";
import { expect, test } from "@playwright/test";
import { sleep } from "../e2e/support/processes";
import { openAttempt, type Seeded, type Server, useServedCluster } from "./support/layers";
import { countBy, report, startLoad, steadyMix, timings } from "./support/load";

/**
 * Issue 9 item 3 under load: Redis frozen with SIGSTOP for 8 s, then
 * resumed. What decides is counted: the answers, and the commands that
 * reached Redis while it was frozen (every one of them waits out the 300 ms
 * timeout; with the breaker open none should be sent).
 */
const cluster = useServedCluster();
let seeded: Seeded;
let server: Server;
test.beforeAll(() => void ({ seeded, server } = cluster));

const CONCURRENCY = 10;
const FAULT_LINE = /rate limit store unavailable/g;

test("Redis frozen: one timeout per request in flight, then nothing reaches it; answers pass without rate numbers; limits return after it resumes", async () => {
  const probe = await openAttempt(server, seeded, seeded.testKey, "probe");
  const mix = steadyMix(server.url, seeded.projectId, seeded.testKey, probe.state);
  const commandsAtStart = await cluster.redis.commandsProcessed();
  const first = startLoad(mix, CONCURRENCY);
  await sleep(2_000);
  const beforeFreeze = await first.stop();

  const commandsBefore = await cluster.redis.commandsProcessed();
  // What one request of the mix costs Redis when it is healthy (a write is charged to more than one budget).
  const perRequest = (commandsBefore - commandsAtStart - 1) / beforeFreeze.length;
  const frozen = startLoad(mix, CONCURRENCY);
  cluster.redis.freeze();
  await sleep(8_000);
  const inFreeze = await frozen.stop();
  cluster.redis.resume();
  // What queued in Redis's sockets while it was stopped is processed as soon as it runs again.
  await sleep(500);
  const reachedWhileFrozen = (await cluster.redis.commandsProcessed()) - commandsBefore - 1;

  const after = startLoad(mix, CONCURRENCY);
  const resumedAt = performance.now();
  await sleep(9_000);
  const afterResume = (await after.stop()).sort((a, b) => a.sentAt - b.sentAt);

  expect(countBy(beforeFreeze, (s) => `${s.status} headers=${s.rateHeaders}`)).toEqual({ "200 headers=true": beforeFreeze.length });
  // Failing open: every request served, and none claims rate numbers it could not know.
  expect(countBy(inFreeze, (s) => `${s.status} json=${s.json} headers=${s.rateHeaders}`)).toEqual({ "200 json=true headers=false": inFreeze.length });
  // Only the requests already waiting when it froze (one per load loop) and the breaker's
  // background probe (one per 5 s cooldown) sent anything; without a breaker every request does.
  expect(reachedWhileFrozen).toBeLessThanOrEqual(Math.ceil(perRequest * CONCURRENCY) + 2);
  expect(inFreeze.length).toBeGreaterThan(10 * CONCURRENCY);
  expect(server.proc.output.match(FAULT_LINE)?.length).toBe(1);
  // After it resumes, the probe closes the breaker and requests are counted again, without flapping: past the
  // requests already on their way when it closed (one round of the load), every one carries its numbers.
  const counted = afterResume.findIndex((s) => s.rateHeaders);
  expect(counted).toBeGreaterThanOrEqual(0);
  const settled = afterResume.slice(counted + CONCURRENCY);
  expect(countBy(settled, (s) => `${s.status} headers=${s.rateHeaders}`)).toEqual({ "200 headers=true": settled.length });
  expect(server.proc.output.match(/rate limit store answers again/g)?.length).toBe(1);
  expect(countBy(afterResume, (s) => `${s.status}`)).toEqual({ 200: afterResume.length });

  const firstCounted = afterResume[counted]!;
  report("Redis frozen 8 s", {
    "requests while frozen": inFreeze.length,
    "answered 200 without rate numbers": inFreeze.filter((s) => s.status === 200 && !s.rateHeaders).length,
    "commands that reached the frozen Redis": reachedWhileFrozen,
    "without a breaker it would have been": Math.round(perRequest * inFreeze.length),
    "requests that waited out the 300 ms timeout": inFreeze.filter((s) => s.ms >= 300).length,
    "while frozen": timings(inFreeze),
    "before": timings(beforeFreeze),
    "limits counted again after resume (ms)": Math.round(firstCounted.sentAt - resumedAt),
    "fault log lines": server.proc.output.match(FAULT_LINE)?.length ?? 0,
  });
});
