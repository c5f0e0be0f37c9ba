import { EnvError, parseEnv } from "../env";
import { type ResolvedConfig, resolveSecrets } from "../secrets";

/** Reads the environment for a command-line entry point; a bad value ends the process with one line. */
export function configOrExit(): ResolvedConfig {
  try {
    return resolveSecrets(parseEnv());
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
