import type { Database } from "@/db/client";
import type { ResolvedConfig } from "../secrets";

/** A stream a password can be read from; a terminal (isTTY) is prompted without echo. */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };

/** Everything `run` touches outside itself, so tests can run it in-process. */
export interface CliIo {
  /** Where a password comes from: the text itself, or a stream such as process.stdin. */
  stdin: string | InputStream;
  stdout(text: string): void;
  /** Receives the failure line, prompts, and the log lines written meanwhile. */
  stderr(text: string): void;
  /** The environment the configuration is read from when `config` is not given. */
  env: Record<string, string | undefined>;
  config?: ResolvedConfig;
  /** An open database to work on, left open afterwards, instead of opening the configured one. */
  database?: Database;
}

export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}
