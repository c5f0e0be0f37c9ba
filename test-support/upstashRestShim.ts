import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

/**
 * A test-only stand-in for the Upstash REST API in front of a plain Redis:
 * just the part @upstash/redis uses for @upstash/ratelimit's scripts.
 *
 * - `POST /` with a JSON command array, e.g. `["evalsha", sha, 1, key, arg]`,
 *   answers `{"result": ...}`, or `{"error": "..."}` with status 400.
 * - `POST /pipeline` with an array of command arrays answers an array of
 *   `{"result": ...}` / `{"error": "..."}`, one per command, with status 200.
 * - `Authorization: Bearer <token>` is required (401 otherwise).
 * - With `Upstash-Encoding: base64`, string results (also inside arrays) are
 *   base64-encoded; numbers and nulls are sent as they are.
 *
 * Redis 7.0 rejects the `#!lua flags=...` shebang the library's scripts start
 * with, so EVAL strips it and remembers which server hash belongs to the
 * original script's sha1; EVALSHA of an unknown hash answers NOSCRIPT, so the
 * client falls back to EVAL.
 */
export interface UpstashRestShim {
  url: string;
  close(): Promise<void>;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const stripShebang = (script: string) => script.replace(/^#!lua[^\n]*\n/, "");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class CommandError extends Error {}

export async function startUpstashRestShim(options: { redisUrl: string; token: string }): Promise<UpstashRestShim> {
  const client = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  // The library's sha1 of a script -> sha1 of the stripped script Redis knows.
  const hashes = new Map<string, string>();

  async function run(command: unknown): Promise<unknown> {
    if (!Array.isArray(command) || command.length === 0 || typeof command[0] !== "string") {
      throw new CommandError("ERR the command must be a non-empty JSON array starting with a string");
    }
    const [rawName, ...rawArgs] = command as [string, ...unknown[]];
    const args = rawArgs.map((arg) => {
      if (typeof arg === "string") return arg;
      if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
      throw new CommandError("ERR command arguments must be strings, numbers or booleans");
    });
    const name = rawName.toLowerCase();

    if ((name === "eval" || name === "eval_ro") && args.length > 0) {
      const [script, ...rest] = args as [string, ...string[]];
      const stripped = stripShebang(script);
      const result = await client.call(name, stripped, ...rest);
      hashes.set(sha1(script), sha1(stripped));
      return result;
    }
    if ((name === "evalsha" || name === "evalsha_ro") && args.length > 0) {
      const [hash, ...rest] = args as [string, ...string[]];
      const serverHash = hashes.get(hash.toLowerCase());
      // Unknown: let Redis decide (it answers NOSCRIPT unless it has the script).
      return client.call(name, serverHash ?? hash, ...rest);
    }
    if (name === "script" && args[0]?.toLowerCase() === "load" && args.length === 2) {
      const script = args[1]!;
      const stripped = stripShebang(script);
      await client.call("script", "load", stripped);
      hashes.set(sha1(script), sha1(stripped));
      return sha1(script);
    }
    return client.call(name, ...args);
  }

  const encode = (value: unknown, base64: boolean): Json => {
    if (value === null || value === undefined) return null;
    if (typeof value === "number") return value;
    if (Buffer.isBuffer(value)) return base64 ? value.toString("base64") : value.toString("utf8");
    if (typeof value === "string") return base64 ? Buffer.from(value, "utf8").toString("base64") : value;
    if (Array.isArray(value)) return value.map((element) => encode(element, base64));
    if (value instanceof Error) return base64 ? Buffer.from(value.message).toString("base64") : value.message;
    return String(value);
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return reply(res, 401, { error: "Unauthorized" });
    }
    if (req.method !== "POST") return reply(res, 405, { error: "ERR only POST is supported" });
    const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return reply(res, 400, { error: "ERR the request body is not valid JSON" });
    }

    if (path === "") {
      try {
        return reply(res, 200, { result: encode(await run(parsed), base64) });
      } catch (error) {
        return reply(res, 400, { error: errorText(error) });
      }
    }
    if (path === "/pipeline") {
      if (!Array.isArray(parsed)) return reply(res, 400, { error: "ERR the pipeline must be a JSON array of commands" });
      const results: Json[] = [];
      // In order, one after another, as Upstash runs a pipeline.
      for (const command of parsed) {
        try {
          results.push({ result: encode(await run(command), base64) });
        } catch (error) {
          results.push({ error: errorText(error) });
        }
      }
      return reply(res, 200, results);
    }
    return reply(res, 404, { error: `ERR unsupported path ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, { error: errorText(error) });
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    client.disconnect();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections from fetch would hold close() open.
        server.closeAllConnections();
      });
      await client.quit().catch(() => client.disconnect());
    },
  };
}
