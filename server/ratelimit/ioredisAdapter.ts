import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/**
 * Lets @upstash/ratelimit talk to a plain Redis through ioredis. The library
 * only calls `evalsha`, then `eval` when the server answers NOSCRIPT. Its
 * scripts start with `#!lua flags=allow-key-locking`, which Redis 7.0 rejects,
 * so the shebang line is stripped and the library's script hashes are mapped
 * to the hashes of the stripped scripts.
 */
export class IoRedisAdapter {
  private readonly hashes = new Map<string, string>();

  constructor(private readonly client: Redis) {}

  async evalsha(hash: string, keys: string[], args: unknown[]): Promise<unknown> {
    const serverHash = this.hashes.get(hash);
    // Unknown yet: answer like Redis would so the library sends the script.
    if (!serverHash) throw new Error("NOSCRIPT No matching script. Please use EVAL.");
    return this.client.evalsha(serverHash, keys.length, ...keys, ...args.map(String));
  }

  async eval(script: string, keys: string[], args: unknown[]): Promise<unknown> {
    const stripped = script.replace(/^#!lua[^\n]*\n/, "");
    const result = await this.client.eval(stripped, keys.length, ...keys, ...args.map(String));
    this.hashes.set(sha1(script), sha1(stripped));
    return result;
  }
}
