import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { testTls } from "./tls";

/**
 * An integrator's webhook endpoint: a real https server on localhost (with
 * the test certificate; `tls: false` for plain http, which only embedded
 * mode allows), that records every request and answers what the test says:
 * 200 by default, or the next status of a scripted list.
 * No vitest and no `@/` imports: the Playwright suites use it too.
 */
export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
  /** What the receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The next requests get these statuses, in order (then 200 again). */
  answer(...statuses: number[]): void;
  /** Every request from now on gets `status` (until answer() or respond() changes it). */
  respond(status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startReceiver(opts: { tls?: boolean; path?: string } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const scripted: number[] = [];
  let always: { status: number; headers: Record<string, string> } = { status: 200, headers: {} };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
      const status = scripted.shift() ?? always.status;
      received.push({ headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now(), status });
      res.writeHead(status, { "content-type": "text/plain", ...always.headers });
      res.end(status < 300 ? "ok" : `answered ${status}`);
    });
  };
  const server: Server = opts.tls === false ? createHttpServer(handle) : createHttpsServer(testTls(), handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls === false ? "http" : "https"}://localhost:${port}${opts.path ?? "/hooks/layers"}`,
    received,
    answer: (...statuses) => void scripted.push(...statuses),
    respond: (status, headers = {}) => void (always = { status, headers }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
