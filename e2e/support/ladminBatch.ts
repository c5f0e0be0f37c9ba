/**
 * Several `ladmin ... --json` commands in one process, on one open database
 * (e2e/support/layers.ts `ladminBatch` runs it: `node --import tsx`). Each
 * separate `ladmin` is a Node start, a TypeScript load and an embedded
 * database opened and checked for migrations: about 7 s on the 2-core CI
 * machine, three of them per test instance. The commands are the CLI's own
 * (`run`, as server/cli/run.test.ts calls it in-process), so what they do and
 * print is what `ladmin` would.
 *
 * stdin: a JSON array of { args, input? } (input: what the command reads
 * from stdin, a password). An argument `@N.field` is the `field` of the Nth
 * command's output (an id made earlier in the batch). stdout: the JSON array
 * of the outputs. The first failure is written to stderr and is the exit status.
 */
import { readFileSync } from "node:fs";
import { run } from "../../server/cli/main";
import { parseEnv } from "../../server/env";
import { resolveSecretsWhenRead } from "../../server/secrets";
import { openProcessDatabase } from "../../server/services";

interface Call {
  args: string[];
  input?: string;
}

const calls = JSON.parse(readFileSync(0, "utf8")) as Call[];
const config = resolveSecretsWhenRead(parseEnv(process.env), (line) => process.stderr.write(`${line}\n`));
const database = await openProcessDatabase(config, { poolSize: 2 });
const outputs: Array<Record<string, unknown>> = [];
let status = 0;
try {
  await database.migrate();
  for (const call of calls) {
    const args = call.args.map((arg) => arg.replace(/^@(\d+)\.(\w+)$/, (_, n: string, field: string) => String(outputs[Number(n)]?.[field])));
    let stdout = "";
    let stderr = "";
    status = await run([...args, "--json"], {
      stdin: call.input ?? "",
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: process.env,
      config,
      database,
    });
    if (status !== 0) {
      process.stderr.write(`ladmin ${args.join(" ")} failed (${status}):\n${stderr}`);
      break;
    }
    outputs.push(JSON.parse(stdout) as Record<string, unknown>);
  }
} finally {
  await database.close();
}
if (status === 0) process.stdout.write(JSON.stringify(outputs));
await new Promise((flushed) => process.stdout.write("", flushed));
process.exit(status);
