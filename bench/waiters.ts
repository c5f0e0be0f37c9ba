/**
 * Long-poll waiters: BENCH_WAITERS clients each holding
 * `GET /v1/social/oauth-status/:state?wait=30` on a pending attempt of its
 * own, one socket each, as integrators' servers waiting on their users would.
 * Measures what holding them costs the app while nothing happens (RSS and
 * CPU against the same idle app just before), then drops them all and checks
 * the app still answers, the long-poll included.
 */
import { type ClientRequest, request } from "node:http";
import { type Proc, sleep } from "../e2e/support/processes";
import { fmt, log, round } from "./format";
import { stoppable } from "./load";
import { openFds, sampleTree, waitUntilQuiet } from "./measure";
import { RETURN_URL, WAITERS, WAITERS_IDLE_S } from "./settings";

/** The app at rest, with or without the waiters. */
export interface IdleWindow {
  seconds: number;
  medianRssMb: number | null;
  peakRssMb: number | null;
  rssByProcess: Record<string, number>;
  /** CPU of the app's tree as % of one core. */
  cpuPct: number;
  fds: number;
}

export interface WaitersResult {
  waiters: number;
  /** Requests written to their sockets. */
  opened: number;
  /** Still waiting (unanswered) when they were dropped: should equal `waiters`. */
  heldToTheEnd: number;
  openSeconds: number;
  answeredEarly: Record<string, number>;
  errors: Record<string, number>;
  before: IdleWindow;
  holding: IdleWindow;
  after: IdleWindow;
  /** (holding - before) median RSS / waiters. */
  rssPerWaiterKb: number | null;
  /** Requests after the waiters left: plain status, a 1 s long-poll, a new attempt. */
  afterwards: { status: number; longPollStatus: number; longPollMs: number; create: number };
  stillAnswers: boolean;
}

const REFERENCE_S = 3;
const AFTER_S = 2;
const WAIT_S = 30;
const BATCH = 100;

/** Creates `n` attempts (20 at a time); answers their states. */
async function createAttempts(baseUrl: string, projectId: string, token: string, n: number): Promise<string[]> {
  const states: string[] = [];
  const one = async () => {
    const res = await fetch(`${baseUrl}/v1/projects/${projectId}/social/oauth-url`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }),
    });
    const body = (await res.json()) as { state?: string };
    if (res.status !== 200 || !body.state) throw new Error(`creating attempts for the waiters: POST oauth-url answered ${res.status}`);
    states.push(body.state);
  };
  for (let i = 0; i < n; i += 20) await Promise.all(Array.from({ length: Math.min(20, n - i) }, one));
  return states;
}

async function idleWindow(pid: number, seconds: number): Promise<IdleWindow> {
  const tree = sampleTree(pid);
  await sleep(seconds * 1000);
  const usage = tree.stop();
  return { seconds: round(usage.elapsedMs / 1000, 1), medianRssMb: usage.medianMb, peakRssMb: usage.peakMb, rssByProcess: usage.peakByProcess, cpuPct: round((100 * usage.cpuMs) / usage.elapsedMs, 2), fds: openFds(pid) };
}

export async function runWaiters(app: Proc, baseUrl: string, projectId: string, token: string): Promise<WaitersResult> {
  log(`app long-poll: ${WAITERS} waiters (GET oauth-status?wait=${WAIT_S}), each on its own attempt and socket, watched idle for ${WAITERS_IDLE_S} s...`);
  const states = await createAttempts(baseUrl, projectId, token, WAITERS);
  await waitUntilQuiet(app.pid);
  const before = await idleWindow(app.pid, REFERENCE_S);

  const url = new URL(baseUrl);
  const requests: ClientRequest[] = [];
  const answeredEarly: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let dropping = false;
  let answered = 0;
  const openedAt = performance.now();
  const open = (state: string) =>
    new Promise<void>((resolve) => {
      // agent: false, one socket per waiter, as separate clients would have.
      const req = request({ agent: false, host: url.hostname, port: url.port, path: `/v1/social/oauth-status/${state}?wait=${WAIT_S}`, headers: { authorization: `Bearer ${token}` } }, (res) => {
        answered++;
        answeredEarly[String(res.statusCode)] = (answeredEarly[String(res.statusCode)] ?? 0) + 1;
        res.resume();
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (!dropping) errors[error.code ?? "error"] = (errors[error.code ?? "error"] ?? 0) + 1;
        resolve();
      });
      req.on("finish", () => resolve());
      req.end();
      requests.push(req);
    });
  const dropAll = () => {
    dropping = true;
    for (const req of requests) req.destroy();
  };

  const { holding, heldToTheEnd, openSeconds } = await stoppable(dropAll, async () => {
    // In batches, so the connection burst stays within the listen backlog.
    for (let i = 0; i < states.length; i += BATCH) await Promise.all(states.slice(i, i + BATCH).map(open));
    const openSeconds = (performance.now() - openedAt) / 1000;
    // Every waiter has been read and parked once the app's CPU settles.
    await waitUntilQuiet(app.pid);
    // They must all still be waiting at the end: shorten the window if opening them took long.
    const left = WAIT_S - 2 - (performance.now() - openedAt) / 1000;
    const seconds = Math.min(WAITERS_IDLE_S, Math.floor(left));
    if (seconds < WAITERS_IDLE_S) log(`  (opening took ${fmt(openSeconds, 1)} s: watching them for ${seconds} s only, inside their ${WAIT_S} s wait)`);
    const holding = await idleWindow(app.pid, Math.max(1, seconds));
    const heldToTheEnd = requests.length - answered - Object.values(errors).reduce((a, b) => a + b, 0);
    return { holding, heldToTheEnd, openSeconds };
  });
  dropAll();
  await waitUntilQuiet(app.pid);
  await sleep(500);
  const after = await idleWindow(app.pid, AFTER_S);

  // The app still answers: a plain read, a long-poll that times out, a new attempt.
  const headers = { authorization: `Bearer ${token}` };
  const status = await fetch(`${baseUrl}/v1/social/oauth-status/${states[0]}`, { headers });
  await status.arrayBuffer();
  const pollStart = performance.now();
  const longPoll = await fetch(`${baseUrl}/v1/social/oauth-status/${states[1] ?? states[0]}?wait=1`, { headers });
  const longPollBody = (await longPoll.json().catch(() => null)) as { status?: string } | null;
  const longPollMs = performance.now() - pollStart;
  const created = await createAttempts(baseUrl, projectId, token, 1).then(
    () => 200,
    () => 0,
  );
  const afterwards = { status: status.status, longPollStatus: longPoll.status, longPollMs: round(longPollMs, 0), create: created };
  const stillAnswers = status.status === 200 && longPoll.status === 200 && longPollBody?.status === "pending" && created === 200;

  const result: WaitersResult = {
    waiters: WAITERS,
    opened: requests.length,
    heldToTheEnd: heldToTheEnd,
    openSeconds: round(openSeconds, 1),
    answeredEarly,
    errors,
    before,
    holding: holding,
    after,
    rssPerWaiterKb: holding.medianRssMb !== null && before.medianRssMb !== null ? round(((holding.medianRssMb - before.medianRssMb) * 1024) / WAITERS, 1) : null,
    afterwards,
    stillAnswers,
  };
  log(
    `  opened ${result.opened} in ${fmt(result.openSeconds, 1)} s, ${result.heldToTheEnd} held to the end; RSS ${fmt(before.medianRssMb ?? 0, 0)} -> ${fmt(holding.medianRssMb ?? 0, 0)} MB ` +
      `(${fmt(result.rssPerWaiterKb ?? 0, 1)} KB per waiter), after dropping them ${fmt(after.medianRssMb ?? 0, 0)} MB; ` +
      `idle CPU ${fmt(before.cpuPct, 1)} % -> ${fmt(holding.cpuPct, 1)} % of a core; fds ${before.fds} -> ${holding.fds} -> ${after.fds}`,
  );
  log(`  afterwards: status ${afterwards.status}, 1 s long-poll ${afterwards.longPollStatus} "${longPollBody?.status}" in ${afterwards.longPollMs} ms, new attempt ${afterwards.create}`);
  if (result.heldToTheEnd !== WAITERS) log(`  WARNING: ${WAITERS - result.heldToTheEnd} waiters did not stay open (answered ${JSON.stringify(answeredEarly)}, errors ${JSON.stringify(errors)})`);
  if (!stillAnswers) log("  WARNING: the app did not answer normally after the waiters left");
  return result;
}
