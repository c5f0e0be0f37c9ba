import { expect } from "vitest";
import type { TestApi } from "@/test-support/harness";
import { consentToAuthorizeUrl } from "@/test-support/sandbox";
import { Layers, type LayersOptions } from "../src/index";

/**
 * What the SDK tests share: a fetch that records every exchange the SDK
 * makes (and can stand in for a network or a proxy that misbehaves), and the
 * end-customer's side of a sandbox connection.
 */
export interface Exchange {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
  sentAt: number;
  answeredAt: number;
  /** The HTTP status, or "lost" when the SDK got a network error instead. */
  status: number | "lost";
  retryAfter: string | null;
  /** The answer's X-Request-Id. */
  requestId: string | null;
  /** The answer's body, as the server sent it (even when the SDK never saw it). */
  answer: string;
}

/**
 * Tells what happens to an exchange, by its index: "real" sends it; "lose"
 * sends it and then throws as if the connection dropped before the answer;
 * a Response answers it without reaching the server.
 */
export type Script = (index: number, request: Request) => "real" | "lose" | Response;

export function recordingFetch(script: Script = () => "real") {
  const exchanges: Exchange[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = init?.body === undefined || init.body === null ? undefined : String(init.body);
    const index = exchanges.length;
    const exchange: Exchange = {
      method: request.method,
      url: new URL(request.url),
      headers: new Headers(request.headers),
      body,
      sentAt: Date.now(),
      answeredAt: 0,
      status: 0,
      retryAfter: null,
      requestId: null,
      answer: "",
    };
    exchanges.push(exchange);
    const plan = script(index, request);
    const response = plan instanceof Response ? plan : await fetch(input, init);
    exchange.answeredAt = Date.now();
    exchange.retryAfter = response.headers.get("retry-after");
    exchange.requestId = response.headers.get("x-request-id");
    exchange.answer = await response.clone().text();
    if (plan === "lose") {
      exchange.status = "lost";
      throw new TypeError("fetch failed", { cause: new Error("socket hang up (the test dropped the answer)") });
    }
    exchange.status = response.status;
    return response;
  };
  return { fetch: fetchImpl, exchanges };
}

/** A client of the test server, recording its exchanges. */
export function client(api: TestApi, apiKey: string, opts: Omit<LayersOptions, "apiKey" | "baseUrl" | "fetch"> & { script?: Script } = {}) {
  const { script, ...options } = opts;
  const recorder = recordingFetch(script);
  const layers = new Layers({ apiKey, baseUrl: api.url, fetch: recorder.fetch, ...options });
  return { layers, exchanges: recorder.exchanges };
}

/** The end-customer consents on the sandbox page and their browser opens the callback: the attempt completes. */
export async function completeInSandbox(api: TestApi, authorizeUrl: string, username: string) {
  const consent = await consentToAuthorizeUrl(api, authorizeUrl, { username });
  expect(consent.status).toBe(303);
  const callback = await fetch(consent.headers.get("location")!, { redirect: "manual" });
  expect(callback.status).toBe(303);
}

/** A promise that is still out, and whether it has settled. */
export function inFlight<T>(promise: Promise<T>) {
  const flight = { settled: false, promise };
  void promise.then(
    () => (flight.settled = true),
    () => (flight.settled = true),
  );
  return flight;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn`, which must throw; answers what it threw. */
export async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

/** An answer in the API's error body, for scripts that stand in for the server. */
export function errorAnswer(status: number, code: string, headers: Record<string, string> = {}): Response {
  const body = { error: { code, message: `A scripted ${code}.`, requestId: "req_SCRIPTED" } };
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export const unique = (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
