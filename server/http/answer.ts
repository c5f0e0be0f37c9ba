import { jsonText } from "./jsonText";

/**
 * The request a route handler reads and the answer it gives, in the shape
 * both servers of /v1 can use. Under `next start` the request is Next's Web
 * `Request` (which has all of this) and the answer becomes a `Response` at
 * the route file's edge (`toResponse`). The production front (v1Front.ts)
 * passes a view over node's IncomingMessage instead and writes a JSON answer
 * straight to the socket: building a Web Request and Response per call, and
 * reading the answer back out of the Response's stream, cost about a tenth
 * of the front's CPU per request (BENCH_PROFILE=1 in `npm run bench`).
 */
export interface ApiRequest {
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** The body as a stream, or null when the request has none. */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Aborts when the client goes away (the front passes its own in the route context instead). */
  readonly signal?: AbortSignal;
  /**
   * The body's chunks without a Web stream, where the request can give them
   * (the front reads node's stream directly); null once taken or when there
   * is no body. limitedBody.ts prefers it to `body`.
   */
  readonly takeBody?: () => BodyReader | null;
}

/** What reads a body chunk by chunk: a Web stream's reader, or the front's over node's stream. */
export interface BodyReader {
  read(): Promise<{ done?: boolean; value?: Uint8Array }>;
  cancel(): Promise<unknown>;
}

/** Request headers as handlers read them: a Web `Headers`, or the front's view over node's. */
export type RequestHeaders = ApiRequest["headers"];

/**
 * A JSON answer not yet made into a Response. Header names are lower-case.
 * A plain object, told from a Response by `instanceof Response` (a global):
 * the front and the route modules `next build` compiled each hold their own
 * copy of this file, so a class of ours would not be recognised across them.
 */
export interface JsonAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** What a route handler answers: a JSON answer, or a Response of its own (redirects, pages, 204s). */
export type Answer = JsonAnswer | Response;

/** A JSON answer with the serialised body (JSON text and a newline, see jsonText.ts). */
export function jsonAnswer(body: unknown, status = 200, headers: Record<string, string> = {}): JsonAnswer {
  return { status, body: jsonText(body), headers: { "content-type": "application/json", ...headers } };
}

export function toResponse(answer: Answer): Response {
  return answer instanceof Response ? answer : new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Adds headers (lower-case names) to an answer, replacing any of the same name. */
export function withHeaders(answer: Answer, headers: Record<string, string>): Answer {
  if (answer instanceof Response) {
    for (const name in headers) answer.headers.set(name, headers[name]!);
    return answer;
  }
  return { status: answer.status, body: answer.body, headers: { ...answer.headers, ...headers } };
}
