import { performance } from "node:perf_hooks";
import { expect, test } from "@playwright/test";
import { sleep } from "../e2e/support/processes";
import { bearer, callback, openAttempt, outcomeOf, type Seeded, type Server, useServedCluster, statusCounts } from "./support/layers";
import { countBy, report, type Sample, startLoad, steadyMix, timings } from "./support/load";

/**
 * Issue 9 item 2 under load: PostgreSQL stopped (`pg_ctl stop -m fast`, so
 * every session ends with 57P01) for 6 s and started again, twice, while a
 * steady load and a callback arrive.
 */
const cluster = useServedCluster();
let seeded: Seeded;
let server: Server;
test.beforeAll(() => void ({ seeded, server } = cluster));

const OUTAGE_MS = 6_000;

test("PostgreSQL stopped and started: every request in the outage is a JSON 503 with Retry-After, none hangs, none fails after recovery", async () => {
  const probe = await openAttempt(server, seeded, seeded.testKey, "probe");
  const load = startLoad(steadyMix(server.url, seeded.projectId, seeded.testKey, probe.state), 10);
  // stoppingAt: when `pg_ctl stop` was called (PostgreSQL ends sessions from then on, before pg_ctl returns);
  // startedAt: when `pg_ctl start` returned, PostgreSQL accepting connections.
  const outages: Array<{ stoppingAt: number; startedAt: number; recoveredAt?: number }> = [];
  const duringOutage: Array<Awaited<ReturnType<typeof callback>>> = [];
  const reloaded: Array<Awaited<ReturnType<typeof callback>>> = [];
  const states: string[] = [];

  await sleep(3_000);
  for (let round = 0; round < 2; round++) {
    const attempt = await openAttempt(server, seeded, seeded.liveKey, `outage${round}`);
    states.push(attempt.state);
    const stoppingAt = performance.now();
    await cluster.pg.stop();
    await sleep(1_000);
    // The end-customer comes back from TikTok mid-outage: a branded "try again" page, nothing spent.
    duringOutage.push(await callback(server, attempt.callbackPath));
    await sleep(OUTAGE_MS - 1_000);
    await cluster.pg.start();
    outages.push({ stoppingAt, startedAt: performance.now() });
    await sleep(4_000);
    // ... and reloads the page once the database is back: the connection completes.
    reloaded.push(await callback(server, attempt.callbackPath));
  }
  await sleep(3_000);
  const samples = await load.stop();

  // Every request falls in one window. Before: answered before the first stop began (pg_ctl takes
  // ~0.1 s to return, and sessions end during it). In an outage: still unanswered when a stop began
  // (a query cut off by 57P01 is the outage's too), or sent before PostgreSQL accepted again. After
  // recovery: sent after PostgreSQL accepted again and answered before the next stop began.
  const answeredBy = (s: Sample) => s.sentAt + s.ms;
  const before = samples.filter((s) => answeredBy(s) < outages[0]!.stoppingAt);
  const inOutage = outages.flatMap((o) => samples.filter((s) => answeredBy(s) >= o.stoppingAt && s.sentAt < o.startedAt));
  // Recovery: the first request sent after PostgreSQL accepts again that is answered 200;
  // from then on nothing may fail (no stray CONNECT_TIMEOUT or 57P01 from a broken pooled connection).
  const afterRecovery = outages.flatMap((o, i) => {
    const nextStop = outages[i + 1]?.stoppingAt ?? Infinity;
    const window = samples.filter((s) => s.sentAt >= o.startedAt && answeredBy(s) < nextStop);
    const first = window.find((s) => s.status === 200);
    o.recoveredAt = first ? answeredBy(first) : undefined;
    return first ? window.filter((s) => s.sentAt > answeredBy(first)) : window;
  });

  expect(countBy(before, (s) => `${s.status}`)).toEqual({ 200: before.length });
  // Every request sent during an outage: answered (none past the 10 s deadline), JSON, 503 UNAVAILABLE with Retry-After
  // (a request already past its database work when PostgreSQL stopped may still be a 200).
  expect(countBy(inOutage, (s) => (s.status === 200 ? "200" : `${s.status} ${s.code} json=${s.json} retry-after=${s.retryAfter}`))).toEqual(
    expect.objectContaining({ "503 UNAVAILABLE json=true retry-after=true": expect.any(Number) }),
  );
  expect(inOutage.filter((s) => s.status !== 200 && !(s.status === 503 && s.code === "UNAVAILABLE" && s.json && s.retryAfter))).toEqual([]);
  expect(outages.every((o) => o.recoveredAt !== undefined)).toBe(true);
  expect(countBy(afterRecovery, (s) => `${s.status} ${s.code ?? ""}`.trim())).toEqual({ 200: afterRecovery.length });
  expect(duringOutage.map((r) => [r.status, r.contentType?.split(";")[0], r.retryAfter !== null])).toEqual(Array(2).fill([503, "text/html", true]));
  expect(reloaded.map((r) => [r.status, outcomeOf(r.location)])).toEqual(Array(2).fill([303, "connected"]));
  expect(await statusCounts(seeded.sql, states)).toEqual({ completed: 2 });

  const outage503 = inOutage.filter((s) => s.status === 503);
  report("PostgreSQL stopped 6 s, twice", {
    "requests in the outages": inOutage.length,
    "answered 503 UNAVAILABLE + Retry-After": outage503.length,
    "unanswered": inOutage.filter((s) => s.status === 0).length,
    "outage answers": timings(outage503),
    "answered within 2 s": `${outage503.filter((s) => s.ms <= 2_000).length}/${outage503.length}`,
    "recovery after PostgreSQL accepts (ms)": outages.map((o) => Math.round(o.recoveredAt! - o.startedAt)).join(", "),
    "failures after recovery": afterRecovery.filter((s) => s.status !== 200).length,
    "steady state": timings(before),
  });
});

test("a long-poll open while PostgreSQL restarts answers the outcome of a callback that lands after it", async () => {
  const attempt = await openAttempt(server, seeded, seeded.liveKey, "longpoll");
  const polled = fetch(`${server.url}/v1/social/oauth-status/${attempt.state}?wait=30`, { headers: bearer(seeded.liveKey), signal: AbortSignal.timeout(40_000) });
  // The poll has read its pending attempt and is waiting on the LISTEN connection, which the stop ends.
  await sleep(1_000);
  await cluster.pg.stop();
  await sleep(2_000);
  await cluster.pg.start();
  // LISTEN is issued again on its own; then the callback, on a fresh pooled connection, ends the attempt and announces it.
  await sleep(3_000);
  const startedAt = performance.now();
  expect(outcomeOf((await callback(server, attempt.callbackPath)).location)).toBe("connected");
  const res = await polled;
  const answeredAfter = performance.now() - startedAt;
  expect(res.status).toBe(200);
  expect(((await res.json()) as { status: string }).status).toBe("completed");
  report("long-poll through a PostgreSQL restart", { "answered after the callback (ms)": Math.round(answeredAfter) });
});
