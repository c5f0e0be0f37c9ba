import { type Config, EnvError, parseEnv } from "../env";
import { type ResolvedConfig, resolveSecrets, resolveSecretsWhenRead } from "../secrets";

/**
 * Reads the environment for a command-line entry point; a bad value ends the
 * process with one line. `secrets: "when-read"` is for entry points that may
 * need no secret (migrations): see resolveSecretsWhenRead.
 */
export function configOrExit(opts: { secrets?: "required" | "when-read" } = {}): ResolvedConfig {
  return orExit(() => (opts.secrets === "when-read" ? resolveSecretsWhenRead : resolveSecrets)(parseEnv()));
}

/** The environment alone, secrets left unresolved (resolving them may write the embedded data dir's). */
export const envOrExit = (): Config => orExit(() => parseEnv());

function orExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
