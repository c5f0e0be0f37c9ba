/**
 * The serving process (`npm start` runs it after its checks): one node:http
 * server in front of Next's request handler. It owns the socket, so it is
 * where the client's real address is known: it records it for
 * `clientAddress()`, replacing any copy a client sent (Next itself only fills
 * X-Forwarded-For when it is absent, which a client could forge).
 *
 * Node runs this file as TypeScript directly (type stripping), so it imports
 * with relative `.ts` paths and no `@/` aliases.
 */
import { createServer } from "node:http";
import next from "next";
import { CLIENT_ADDRESS_HEADER } from "../server/http/clientAddress.ts";

const port = Number(process.env.PORT || 3000);
const app = next({ dev: false, dir: process.cwd(), port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "unknown";
  void handle(req, res);
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
