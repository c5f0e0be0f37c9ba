/**
 * The OAuth callback's own work: GET /v1/social/oauth/callback/tiktok for
 * fresh test-mode attempts, completed through the sandbox as a browser would.
 *
 * Each callback needs an attempt (POST oauth-url) and a code, issued by the
 * sandbox consent form (POST /sandbox/tiktok/consent, as the consent page and
 * test-support/sandbox.ts submit it). Both are prepared first, unmeasured.
 *
 * The sandbox ("the platform") runs on the other instance: both instances'
 * LAYERS_PUBLIC_URL is the forwarder in platformProxy.ts, which sends the
 * callback instance's token and profile calls on to the sandbox instance.
 * So the callback instance's CPU is the callback's work alone (with the
 * client side of its two platform calls), and the platform's CPU is on the
 * other process, reported beside it. Callbacks run one at a time, so the
 * forwarder's timing of the platform calls made during a callback is that
 * callback's wait on the platform, and its own latency is what remains.
 */
import { randomBytes } from "node:crypto";
import { sleep } from "../e2e/support/processes";
import { fmt, log, type Percentiles, percentiles, round } from "./format";
import { stoppable } from "./load";
import { sampleTree, type TreeUsage, waitUntilQuiet } from "./measure";
import type { PlatformProxy } from "./platformProxy";
import type { Instance } from "./scaleOut";
import { CALLBACKS, RETURN_URL } from "./settings";

export interface CallbackResult {
  callbacks: number;
  /** Unmeasured callbacks first (first loads of the route and adapters, JIT). */
  warmup: number;
  ok: number;
  failures: Record<string, number>;
  /** Attempts of the measured callbacks by status afterwards (all "completed" when it worked). */
  attemptStatuses: Record<string, number>;
  /** End to end, at the bench. */
  latencyMs: Percentiles;
  /** The callback's token and profile calls, timed at the forwarder (the platform's time). */
  platformMs: Percentiles;
  /** Each callback's latency minus its platform time. */
  ownLatencyMs: Percentiles;
  platformCallsPerCallback: number;
  /** CPU of the callback instance's tree per callback, as measured and less its idle background over the same time. */
  cpuMsPerCallback: number;
  cpuMsPerCallbackNet: number;
  idleCpuMsPerS: number;
  /** CPU of the sandbox instance per callback: the platform's side, not included above. */
  platformCpuMsPerCallback: number;
  durationS: number;
  /** Preparing the attempts and codes (unmeasured). */
  prepareS: number;
  /** Peak RSS of each instance's tree during the measured callbacks. */
  peakRssMb: number | null;
  rssByProcess: Record<string, number>;
  platformPeakRssMb: number | null;
  platformRssByProcess: Record<string, number>;
}

interface Prepared {
  state: string;
  /** Path and query of the callback the consent redirected to. */
  callback: string;
}

/** One attempt on the callback instance, authorized on the sandbox consent form through the forwarder. */
async function prepare(callbackUrl: string, proxy: PlatformProxy, projectId: string, token: string, username: string): Promise<Prepared> {
  const created = await fetch(`${callbackUrl}/v1/projects/${projectId}/social/oauth-url`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }),
  });
  const body = (await created.json().catch(() => null)) as { state?: string; authorizeUrl?: string } | null;
  if (created.status !== 200 || !body?.state || !body.authorizeUrl) throw new Error(`callback prep: POST oauth-url answered ${created.status} ${JSON.stringify(body)}`);
  // The consent form: the authorize parameters as hidden fields, a username, every scope ticked, Authorize.
  const authorize = new URL(body.authorizeUrl);
  if (authorize.origin !== proxy.url) throw new Error(`callback prep: the authorize URL ${authorize.origin} is not the forwarder's (${proxy.url})`);
  const form = new URLSearchParams(authorize.searchParams);
  form.set("username", username);
  for (const scope of authorize.searchParams.get("scope")!.split(",")) form.append("granted_scope", scope);
  form.set("decision", "authorize");
  const consent = await fetch(`${proxy.url}/sandbox/tiktok/consent`, { method: "POST", body: form, redirect: "manual", headers: { origin: proxy.url } });
  await consent.arrayBuffer();
  const location = consent.headers.get("location") ?? "";
  if (consent.status !== 303 || !location.startsWith(`${proxy.url}/v1/social/oauth/callback/tiktok?code=`)) {
    throw new Error(`callback prep: the sandbox consent answered ${consent.status} ${location}`);
  }
  return { state: body.state, callback: location.slice(proxy.url.length) };
}

/** One callback at the callback instance: its latency and outcome. */
async function callback(callbackUrl: string, prepared: Prepared): Promise<{ ms: number; outcome: string }> {
  const started = performance.now();
  const res = await fetch(`${callbackUrl}${prepared.callback}`, { redirect: "manual" });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  const location = res.headers.get("location");
  if (res.status === 303 && location === RETURN_URL) return { ms, outcome: "ok" };
  const error = location ? new URL(location).searchParams.get("layers_oauth_error") : null;
  return { ms, outcome: `${res.status}${error ? ` ${error}` : ""}` };
}

export async function runCallbacks(opts: {
  callbackServer: Instance;
  platformServer: Instance;
  proxy: PlatformProxy;
  projectId: string;
  token: string;
  attemptStatuses: (states: string[]) => Promise<Record<string, number>>;
}): Promise<CallbackResult> {
  const { callbackServer, platformServer, proxy, projectId, token } = opts;
  const warmup = Math.min(20, Math.max(3, Math.round(CALLBACKS / 10)));
  const total = warmup + CALLBACKS;
  log(`callbacks: ${total} attempts prepared (oauth-url on ${callbackServer.name}, consent on the sandbox of ${platformServer.name}), then ${warmup} + ${CALLBACKS} callbacks one at a time...`);
  const tag = randomBytes(3).toString("hex");
  const prepared: Prepared[] = [];
  const prepareStart = performance.now();
  for (let i = 0; i < total; i += 16) {
    const batch = Array.from({ length: Math.min(16, total - i) }, (_, j) => prepare(callbackServer.url, proxy, projectId, token, `bench_${tag}_${i + j}`));
    prepared.push(...(await Promise.all(batch)));
  }
  const prepareS = round((performance.now() - prepareStart) / 1000, 1);
  for (const p of prepared.slice(0, warmup)) await callback(callbackServer.url, p);

  // The callback instance's background (pg-boss polling, timers) at rest, to take out of its figure.
  await waitUntilQuiet(callbackServer.proc.pid);
  const idle = sampleTree(callbackServer.proc.pid);
  await sleep(2000);
  const idleUsage = idle.stop();
  const idleCpuMsPerS = (1000 * idleUsage.cpuMs) / idleUsage.elapsedMs;

  const measured = prepared.slice(warmup);
  const latencies: number[] = [];
  const platform: number[] = [];
  const own: number[] = [];
  const failures: Record<string, number> = {};
  let stopped = false;
  const callsBefore = proxy.totals().requests;
  const trees = [sampleTree(callbackServer.proc.pid), sampleTree(platformServer.proc.pid)];
  let usages: TreeUsage[] = [];
  await stoppable(
    () => (stopped = true),
    async () => {
      for (const p of measured) {
        if (stopped) throw new Error("interrupted");
        const before = proxy.totals().ms;
        const { ms, outcome } = await callback(callbackServer.url, p);
        const platformMs = proxy.totals().ms - before;
        if (outcome !== "ok") failures[outcome] = (failures[outcome] ?? 0) + 1;
        latencies.push(ms);
        platform.push(platformMs);
        own.push(ms - platformMs);
      }
    },
  ).finally(() => (usages = trees.map((t) => t.stop())));
  const [usage, platformUsage] = usages;
  const n = measured.length;
  const attemptStatuses = await opts.attemptStatuses(measured.map((p) => p.state));
  const result: CallbackResult = {
    callbacks: n,
    warmup,
    ok: n - Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
    attemptStatuses,
    latencyMs: percentiles(latencies),
    platformMs: percentiles(platform),
    ownLatencyMs: percentiles(own),
    platformCallsPerCallback: round((proxy.totals().requests - callsBefore) / n, 2),
    cpuMsPerCallback: round(usage!.cpuMs / n, 2),
    cpuMsPerCallbackNet: round((usage!.cpuMs - (idleCpuMsPerS * usage!.elapsedMs) / 1000) / n, 2),
    idleCpuMsPerS: round(idleCpuMsPerS, 1),
    platformCpuMsPerCallback: round(platformUsage!.cpuMs / n, 2),
    durationS: round(usage!.elapsedMs / 1000, 1),
    prepareS,
    peakRssMb: usage!.peakMb,
    rssByProcess: usage!.peakByProcess,
    platformPeakRssMb: platformUsage!.peakMb,
    platformRssByProcess: platformUsage!.peakByProcess,
  };
  log(
    `  ${result.ok}/${n} completed in ${fmt(result.durationS, 1)} s; latency p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
      `of which the platform (${result.platformCallsPerCallback} calls) p50 ${result.platformMs.p50} ms; own p50 ${result.ownLatencyMs.p50} ms, p99 ${result.ownLatencyMs.p99} ms; ` +
      `CPU ${fmt(result.cpuMsPerCallback, 2)} ms/callback (${fmt(result.cpuMsPerCallbackNet, 2)} less idle background), platform ${fmt(result.platformCpuMsPerCallback, 2)} ms`,
  );
  if (result.ok !== n || attemptStatuses.completed !== n) {
    log(`  WARNING: callbacks failed: ${JSON.stringify(failures)}; attempts ${JSON.stringify(attemptStatuses)} (see bench/results/${callbackServer.name}.stderr.log)`);
  }
  return result;
}
