import { expect, test } from "@playwright/test";
import type { LiveTikTok } from "../test-support/liveTikTok";
import { callback, openAttempt, outcomeOf, type Seeded, type Server, useServedCluster, statusCounts } from "./support/layers";
import { countBy, report, startLoad, steadyMix } from "./support/load";

/**
 * Issue 9 items 1 and 5 under load: a server killed with kill -9 while a
 * dozen callbacks wait on TikTok's token endpoint leaves no attempt stuck,
 * and an expired attempt stays expired whatever arrives late.
 */
// No in-process jobs: the attempts sweep (every minute) would end the abandoned claims on its own schedule,
// racing the reloads this spec counts. Here the claims end by reload, by status read, and at server start.
const cluster = useServedCluster({ LAYERS_WORKER: "off" });
let seeded: Seeded;
let tiktok: LiveTikTok;
let server: Server;
test.beforeAll(() => void ({ seeded, tiktok, server } = cluster));

const CUT_OFF = 12;

test("kill -9 mid-callback: zero states left processing, and every reload reaches the returnUrl with the real outcome", async () => {
  const probe = await openAttempt(server, seeded, seeded.testKey, "probe");
  const load = startLoad(steadyMix(server.url, seeded.projectId, seeded.testKey, probe.state), 6);

  const attempts = await Promise.all(Array.from({ length: CUT_OFF }, (_, i) => openAttempt(server, seeded, seeded.liveKey, `crash${i}`)));
  const states = attempts.map((a) => a.state);
  tiktok.hold();
  const cut = attempts.map((a) => callback(server, a.callbackPath).catch((error: Error) => error));
  await expect.poll(() => tiktok.codeExchanges(), { timeout: 20_000 }).toBe(CUT_OFF);
  // Every one of them claimed, exchanging at TikTok: the worst moment to die.
  expect(await statusCounts(seeded.sql, states)).toEqual({ processing: CUT_OFF });

  await server.kill9();
  const answeredBeforeDeath = (await Promise.all(cut)).filter((r) => !(r instanceof Error)).length;
  tiktok.release();
  await server.restart();
  // The claims outlive the process: their leases are what ends them.
  const stuckAfterRestart = (await statusCounts(seeded.sql, states)).processing ?? 0;

  // The lease (60 s) runs out: moved into the past instead of waited for.
  await seeded.sql`update oauth_states set lease_expires_at = now() - interval '1 second' where id = any(${states})`;
  const half = CUT_OFF / 2;
  // Half the end-customers reload the callback page: the exchange runs again, and TikTok still takes the code.
  const reloads = await Promise.all(attempts.slice(0, half).map((a) => callback(server, a.callbackPath)));
  // The integrator polls the other half: the read ends each abandoned claim failed / server_error.
  const polled = await Promise.all(
    states.slice(half).map(async (state) => {
      const res = await fetch(`${server.url}/v1/social/oauth-status/${state}`, { headers: { authorization: `Bearer ${seeded.liveKey}` } });
      return (await res.json()) as { status: string; error?: { code: string } };
    }),
  );
  // Those end-customers reload too, later, and are sent back with that outcome.
  const lateReloads = await Promise.all(attempts.slice(half).map((a) => callback(server, a.callbackPath)));
  const samples = await load.stop();

  expect(answeredBeforeDeath).toBe(0);
  expect(stuckAfterRestart).toBe(CUT_OFF);
  expect(reloads.map((r) => [r.status, outcomeOf(r.location)])).toEqual(Array(half).fill([303, "connected"]));
  expect(polled.map((p) => [p.status, p.error?.code])).toEqual(Array(half).fill(["failed", "server_error"]));
  expect(lateReloads.map((r) => [r.status, outcomeOf(r.location)])).toEqual(Array(half).fill([303, "server_error"]));
  const final = await statusCounts(seeded.sql, states);
  expect(final).toEqual({ completed: half, failed: half });
  const [accounts] = await seeded.sql<{ n: number }[]>`select count(*)::int as n from social_accounts where project_id = ${seeded.projectId} and livemode`;
  expect(accounts!.n).toBe(half);
  // The steady load saw only the restart: refused connections while down, never a wrong answer.
  const wrong = samples.filter((s) => s.status !== 0 && !(s.status === 200 && s.json));
  expect(countBy(wrong, (s) => `${s.name} ${s.status} ${s.code ?? ""}`)).toEqual({});

  report("kill -9 mid-callback", {
    "callbacks cut off": CUT_OFF,
    "processing after restart (leases live)": stuckAfterRestart,
    "processing at the end": final.processing ?? 0,
    "reloads completed": reloads.filter((r) => outcomeOf(r.location) === "connected").length,
    "ended by the sweep": polled.filter((p) => p.status === "failed").length,
    "load requests": samples.length,
    "refused while down": samples.filter((s) => s.status === 0).length,
  });
});

test("expired is final under load: a late callback is told state_expired and the status stays expired", async () => {
  const probe = await openAttempt(server, seeded, seeded.testKey, "probe2");
  const load = startLoad(steadyMix(server.url, seeded.projectId, seeded.testKey, probe.state), 6);
  const attempts = await Promise.all(Array.from({ length: 6 }, (_, i) => openAttempt(server, seeded, seeded.liveKey, `late${i}`)));
  const states = attempts.map((a) => a.state);
  // Ten minutes pass: moved, not waited for.
  await seeded.sql`update oauth_states set expires_at = now() - interval '1 second' where id = any(${states})`;
  const read = async () =>
    Promise.all(
      states.map(async (state) => {
        const res = await fetch(`${server.url}/v1/social/oauth-status/${state}`, { headers: { authorization: `Bearer ${seeded.liveKey}` } });
        return ((await res.json()) as { status: string }).status;
      }),
    );
  const before = await read();
  const late = await Promise.all(attempts.map((a) => callback(server, a.callbackPath)));
  const after = await read();
  const samples = await load.stop();

  expect(before).toEqual(Array(6).fill("expired"));
  expect(late.map((r) => [r.status, outcomeOf(r.location)])).toEqual(Array(6).fill([303, "state_expired"]));
  expect(after).toEqual(Array(6).fill("expired"));
  expect(tiktok.calls.filter((c) => c.path === "/v2/oauth/token/" && c.form.get("code")?.startsWith("late"))).toEqual([]);
  expect(countBy(samples, (s) => `${s.status}`)).toEqual({ 200: samples.length });
  report("expired is final", { "late callbacks": late.length, "statuses changed after expiry": after.filter((s) => s !== "expired").length });
});
