/**
 * `ladmin`, the admin CLI (CONTRACT.md §5), as a function: `run` parses the
 * arguments, calls the same domain functions as the console, and prints one
 * line (or, with `--json`, one JSON object). It returns the exit status
 * (0 done, 1 failure, 2 bad arguments) and leaves the process alone.
 */
import type { Database } from "@/db/client";
import { newId } from "@/db/ids";
import { systemClock } from "../clock";
import { SecretBox } from "../crypto/secretbox";
import type { DomainContext } from "../domain/context";
import { parseEnv } from "../env";
import { setLogSink } from "../log";
import { resolveSecretsWhenRead } from "../secrets";
import { createAttemptWaiters } from "../attempts/wait";
import { createJobSystem } from "../jobs/system";
import { openProcessDatabase } from "../services";
import { checkArguments, optionsOf, parseArgv, resolveCommand } from "./args";
import type { Command, Output, Work } from "./command";
import { COMMANDS } from "./commands";
import { failure } from "./failure";
import { usage } from "./help";
import type { CliIo } from "./io";

export async function run(argv: string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  // stdout carries the result alone. A fault's log line goes to stderr, above the line that quotes it;
  // the server's routine notes (info, warn) are not the CLI user's to read.
  const previousSink = setLogSink((line, level) => level === "error" && io.stderr(`${line}\n`));
  // Names the run in the log line of a fault and in the message that quotes it.
  const requestId = newId("req");
  let command: Command | undefined;
  try {
    const parsed = parseArgv(argv, optionsOf(commands));
    if (parsed.flags.help || argv.length === 0) {
      io.stdout(usage(commands));
      return 0;
    }
    command = resolveCommand(commands, parsed.positionals);
    const work = await command.prepare({ ...checkArguments(command, parsed), io });
    const output = await withDatabase(io, work);
    io.stdout(`${parsed.flags.json ? JSON.stringify(output.json) : output.human}\n`);
    return 0;
  } catch (error) {
    const { line, status } = failure(error, requestId, { command: command?.words.join(" ") });
    if (line !== null) io.stderr(`ladmin: ${line.replace(/\s*\n\s*/g, " ")}\n`);
    return status;
  } finally {
    setLogSink(previousSink);
  }
}

async function withDatabase(io: CliIo, work: Work): Promise<Output> {
  // Secrets are read when a command first uses them: most commands need none.
  const config = io.config ?? resolveSecretsWhenRead(parseEnv(io.env), (line) => io.stderr(`${line}\n`));
  const box = new SecretBox(() => ({ current: config.encryptionKey, previous: config.previousEncryptionKeys }));
  // The job queues, for a command whose change sends a webhook (a refresh refused for good); started only by such a command.
  const context = (database: Database): DomainContext => ({
    db: database.db,
    box,
    config,
    clock: systemClock,
    jobs: createJobSystem(database, config.databaseUrl, { clock: systemClock, instanceName: "ladmin" }),
    // No command waits for an attempt: the waiters never LISTEN here.
    waiters: createAttemptWaiters(database),
  });
  if (io.database) return runWith(context(io.database), work);
  const database = await openProcessDatabase(config, { poolSize: 2 });
  try {
    await database.migrate();
    return await runWith(context(database), work);
  } finally {
    await database.close();
  }
}

async function runWith(ctx: DomainContext, work: Work): Promise<Output> {
  try {
    return await work(ctx);
  } finally {
    await ctx.jobs.stop();
  }
}
