import { expect, test } from "@playwright/test";
import type { LiveTikTok } from "../test-support/liveTikTok";
import { bearer, callback, openAttempt, outcomeOf, RETURN_URL, type Seeded, type Server, serve, useCluster, statusCounts } from "./support/layers";
import { countBy, measure, report } from "./support/load";

/**
 * Two instances sharing one PostgreSQL and one Redis: `npm start` (the
 * front) and bare `next start` (proxy.ts). Whatever instance a request
 * reaches, the limiter counts once, a callback exchanges its code once, and
 * no write is lost.
 */
const cluster = useCluster();
let seeded: Seeded;
let tiktok: LiveTikTok;
let servers: Server[];

test.beforeAll(async () => {
  ({ seeded, tiktok } = cluster);
  servers = [await serve(seeded, "npm start"), await serve(seeded, "next start")];
});
test.afterAll(async () => Promise.all((servers ?? []).map((s) => s.stop())));

test("300 writes through a 100/60s key over two instances: exactly 100 pass", async () => {
  const write = (i: number) =>
    measure({
      name: "oauth-url",
      url: `${servers[i % 2]!.url}/v1/projects/${seeded.projectId}/social/oauth-url`,
      init: { method: "POST", headers: bearer(seeded.budgetKey), body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }) },
    });
  const answers: Awaited<ReturnType<typeof write>>[] = [];
  // 20 at a time, alternating instances.
  for (let batch = 0; batch < 15; batch++) answers.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => write(batch * 20 + i)))));
  expect(countBy(answers, (s) => `${s.status} ${s.code ?? ""}`.trim())).toEqual({ 200: 100, "429 RATE_LIMITED": 200 });
  // Every write that passed is stored, and nothing refused was.
  const [made] = await seeded.sql<{ n: number }[]>`select count(*)::int as n from oauth_states where api_key_id = (select id from api_keys where name = 'budget')`;
  expect(made!.n).toBe(100);
  report("two instances, one limiter", { writes: answers.length, passed: answers.filter((s) => s.status === 200).length, "attempts stored": made!.n });
});

test("50 replays of one callback over two instances: one exchange at TikTok, one account, 50 identical redirects", async () => {
  const exchangesBefore = tiktok.codeExchanges();
  const attempt = await openAttempt(servers[0]!, seeded, seeded.liveKey, "replayed");
  const replays = await Promise.all(Array.from({ length: 50 }, (_, i) => callback(servers[i % 2]!, attempt.callbackPath)));
  expect(replays.filter((r) => !(r.status === 303 && outcomeOf(r.location) === "connected"))).toEqual([]);
  expect(new Set(replays.map((r) => r.location)).size).toBe(1);
  expect(tiktok.codeExchanges() - exchangesBefore).toBe(1);
  const [accounts] = await seeded.sql<{ n: number }[]>`select count(*)::int as n from social_accounts where platform_user_id = 'replayed'`;
  expect(accounts!.n).toBe(1);
  report("50 replays of one callback", { replays: replays.length, "exchanges at TikTok": tiktok.codeExchanges() - exchangesBefore, accounts: accounts!.n });
});

test("attempts opened on one instance and completed on the other: none lost", async () => {
  const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => openAttempt(servers[i % 2]!, seeded, seeded.liveKey, `cross${i}`)));
  const done = await Promise.all(attempts.map((a, i) => callback(servers[(i + 1) % 2]!, a.callbackPath)));
  expect(done.map((r) => outcomeOf(r.location))).toEqual(Array(20).fill("connected"));
  expect(await statusCounts(seeded.sql, attempts.map((a) => a.state))).toEqual({ completed: 20 });
});
