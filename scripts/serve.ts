/**
 * The serving process (`npm start` runs it after its checks): one node:http
 * server in front of Next's request handler. It owns the socket, so it is
 * where the client's real address is known: it records it for
 * `clientAddress()` with this process's mark, replacing any copy a client
 * sent (Next itself only fills X-Forwarded-For when it is absent, which a
 * client could forge).
 *
 * /v1 requests skip Next's router: the route table sends them straight to
 * their route files' handlers (server/http/v1Front.ts), with the headers and
 * 404/405 answers Next would give them.
 *
 * Node runs this file as TypeScript directly (type stripping), so it imports
 * with relative `.ts` paths and no `@/` aliases.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createServer, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, stop as stopEsbuild } from "esbuild";
import next from "next";
import { ulid } from "ulid";
import { pooledRandom } from "../server/crypto/pooledRandom.ts";
import { CLIENT_ADDRESS_HEADER, recordedClientAddress } from "../server/http/clientAddress.ts";
import { jsonText } from "../server/http/jsonText.ts";
import { logRoute } from "../server/http/logRoute.ts";
import { securityHeadersFor } from "../server/http/securityHeaders.ts";
import { isV1Target, methodRefusal, refusalBody, requestIdFor, type V1Refusal } from "../server/http/v1Guard.ts";
import { log } from "../server/log.ts";

const port = Number(process.env.PORT || 3000);
const app = next({ dev: false, dir: process.cwd(), port });
const handle = app.getRequestHandler();
await app.prepare();
const v1Front = await loadV1Front();

/**
 * /v1 bypasses Next's router: the front in scripts/v1Routes.ts sends each
 * request straight to its route file's handler (server/http/v1Front.ts).
 * It is compiled here from the sources, every start (about 0.3 s), so it
 * cannot lag behind them; esbuild rather than a TypeScript loader in this
 * process, which would keep about 200 MB more memory for good. The file is
 * named by its content, so servers starting side by side share it safely.
 */
async function loadV1Front(): Promise<import("./v1Routes.ts").V1Front> {
  const root = join(import.meta.dirname, "..");
  const { outputFiles } = await build({
    entryPoints: [join(root, "scripts", "v1Routes.ts")],
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node24",
    tsconfig: join(root, "tsconfig.json"),
    write: false,
    logLevel: "warning",
  });
  // esbuild's service is a child process that would otherwise live (and hold memory) as long as this one.
  await stopEsbuild();
  const code = outputFiles[0]!.contents;
  const dir = join(root, process.env.NEXT_DIST_DIR || ".next", "layers");
  const file = join(dir, `v1-front-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  const { loadV1Front: load } = (await import(pathToFileURL(file).href)) as typeof import("./v1Routes.ts");
  return load(join(root, process.env.NEXT_DIST_DIR || ".next"));
}

/** How long a connection is kept open after its answer to read what the client still sends. */
const LINGER_MS = 5_000;

/**
 * A lingering close. When a connection is to be closed after an answer
 * (the client asked for `Connection: close`, or the server refused a body
 * half-read, such as a 413), Node ends it and destroys it as soon as the
 * answer is flushed. If the client is still sending its body then, the
 * kernel answers the unread bytes with a reset, and the reset can wipe the
 * answer from the client's receive buffer before it reads it (seen under
 * load: a chunked 1 MB upload saw no 413). So the socket is half-closed
 * after the answer and kept reading (into the parser, which drops a body
 * nobody reads) until the client closes its side or LINGER_MS pass, as
 * nginx's lingering_close does.
 */
function lingerBeforeClosing(socket: Socket) {
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    if (this.writable) this.end();
    const close = () => this.destroy();
    this.once("end", close);
    setTimeout(close, LINGER_MS).unref();
  };
}

const server = createServer((req, res) => {
  const startedAt = performance.now();
  // Only a request with a body can still be sending when its answer is done.
  if (req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined) lingerBeforeClosing(req.socket);
  req.headers[CLIENT_ADDRESS_HEADER] = recordedClientAddress(req.socket.remoteAddress ?? "unknown");
  // One id per request, whoever answers: /v1 handlers reuse it (it passes their rule).
  const requestId = requestIdFor(req.headers["x-request-id"], () => `req_${ulid(undefined, pooledRandom)}`);
  req.headers["x-request-id"] = requestId;
  res.setHeader("X-Request-Id", requestId);
  const target = req.url ?? "/";
  // The front writes the security headers on each of its /v1 answers.
  if (isV1Target(target)) return void v1Front.serve(req, res);
  // What next.config.ts gives every answer, on whatever Next answers without its config too.
  for (const [key, value] of Object.entries(securityHeadersFor(target.split("?", 1)[0]!))) res.setHeader(key, value);
  // /v1 answers are logged by the front (refusals) or their handler (with the key id); the rest here.
  res.on("finish", () => {
    log.info("request", {
      requestId,
      method: (req.method ?? "").slice(0, 20),
      route: logRoute(target),
      status: res.statusCode,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
    });
  });
  void handle(req, res);
});
// What Node's HTTP parser refuses (a method it does not know, a malformed
// request line or header) never reaches the handler above; Node's own answer
// is a bare 400 with no body or id. Answered here in the contract's model, then closed.
server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
  // As Node's own handler does: nothing more once a response has begun on this socket
  // (bytes after a request without a length are parsed as the next one, and fail).
  const current = (socket as typeof socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || current?.headersSent) return void socket.destroy();
  const requestId = `req_${ulid(undefined, pooledRandom)}`;
  const refusal: V1Refusal =
    error.code === "HPE_INVALID_METHOD"
      ? methodRefusal("")
      : { status: 400, code: "VALIDATION", message: "The request could not be parsed.", issues: [{ path: "(request)", message: "malformed HTTP request" }] };
  const body = jsonText(refusalBody(refusal, requestId));
  const allow = refusal.allow ? `Allow: ${refusal.allow}\r\n` : "";
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nCache-Control: no-store\r\n${allow}Connection: close\r\n\r\n${body}`,
  );
  log.info("request", { requestId, method: "(unparsed)", route: "(unparsed)", status: refusal.status, durationMs: 0, parseError: error.code });
});
server.on("error", (error: NodeJS.ErrnoException) => {
  const reason = error.code === "EADDRINUSE" ? `port ${port} is already in use (set PORT to use another)` : error.message;
  process.stderr.write(`Layers Connect could not start: ${reason}.\n`);
  process.exit(1);
});
server.listen(port);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void app.close().finally(() => process.exit(0));
  });
}
