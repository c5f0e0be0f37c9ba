/**
 * `ladmin`, the admin CLI (CONTRACT.md §5). It parses arguments, calls the
 * same domain functions as the console, and prints one line (or, with
 * `--json`, one JSON object). Exit status: 0 done, 1 failure, 2 bad arguments.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { Db } from "@/db/client";
import { KEY_MODES, ROLES } from "@/db/schema";
import type { Actor } from "../audit/record";
import { AppError, type Issue, isDatabaseUnavailable, validationError } from "../errors";
import { addAllowlistEntry, createApiKey, createKeyInput, keyIdSchema, listAllowlist, removeAllowlistEntry, revokeApiKey } from "../keys/service";
import { API_SCOPES, type ApiScope, isApiScope } from "../keys/scopes";
import { describeError, setLogSink } from "../log";
import { createOrganization } from "../orgs/service";
import { createProject } from "../projects/service";
import { EmbeddedDatabaseBusyError, openProcessDatabase } from "../services";
import { createUser } from "../users/service";
import { configOrExit } from "./config";

const ACTOR: Actor = { type: "cli" };

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  name: { type: "string" },
  org: { type: "string" },
  scopes: { type: "string" },
  mode: { type: "string" },
  allow: { type: "string", multiple: true },
  "write-limit": { type: "string" },
  "read-limit": { type: "string" },
  email: { type: "string" },
  role: { type: "string" },
} as const satisfies ParseArgsConfig["options"];

type Flag = keyof typeof OPTIONS;
type Flags = ReturnType<typeof parseFlags>["values"];
const GLOBAL_FLAGS: readonly Flag[] = ["json", "help"];

/** Wrong arguments: exit 2 with the message as the one line on stderr. */
class UsageError extends Error {}

interface Output {
  json: Record<string, unknown>;
  human: string;
}

interface Input {
  operands: Record<string, string>;
  flags: Flags;
}

interface Command {
  words: string[];
  operands: string[];
  required: Flag[];
  optional: Flag[];
  /** Shown in the usage text after the command words. */
  synopsis: string;
  /** Checks what needs no database and returns the work to do with it. */
  prepare(input: Input): Promise<(db: Db) => Promise<Output>>;
}

const COMMANDS: Command[] = [
  {
    words: ["orgs", "create"],
    operands: [],
    required: ["name"],
    optional: [],
    synopsis: "--name NAME",
    async prepare({ flags }) {
      return async (db) => {
        const org = await createOrganization(db, { name: flags.name! }, ACTOR);
        return { json: { id: org.id }, human: `Created organization ${org.id} (${org.name}).` };
      };
    },
  },
  {
    words: ["projects", "create"],
    operands: [],
    required: ["org", "name"],
    optional: [],
    synopsis: "--org ORG --name NAME",
    async prepare({ flags }) {
      return async (db) => {
        const project = await createProject(db, { orgId: flags.org!, name: flags.name! }, ACTOR);
        return { json: { id: project.id }, human: `Created project ${project.id} (${project.name}) in ${project.orgId}.` };
      };
    },
  },
  {
    words: ["keys", "create"],
    operands: [],
    required: ["org", "name", "scopes"],
    optional: ["mode", "allow", "write-limit", "read-limit"],
    synopsis: "--org ORG --name NAME --scopes SCOPES [--mode live|test]\n[--allow URL]... [--write-limit N/WINDOW] [--read-limit N/WINDOW]",
    async prepare({ flags }) {
      const input = {
        orgId: flags.org!,
        name: flags.name!,
        scopes: parseScopes(flags.scopes!),
        mode: oneOf("--mode", flags.mode ?? "live", KEY_MODES),
        allow: flags.allow ?? [],
        writeLimit: flags["write-limit"],
        readLimit: flags["read-limit"],
      };
      // The domain's own schema, checked before the database is opened.
      const checked = createKeyInput.safeParse(input);
      if (!checked.success) throw new UsageError(describeIssues(checked.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }))));
      return async (db) => {
        const key = await createApiKey(db, input, ACTOR);
        const allowlist = key.allowlist.length ? key.allowlist.join(", ") : "empty: add return URLs with `ladmin keys allowlist add`";
        return {
          json: { id: key.id, key: key.key },
          human:
            `Created ${key.mode} API key ${key.id} (scopes ${key.scopes.join(", ")}; allowlist ${allowlist}).\n` +
            `${key.key}\n` +
            "This key is shown only once: store it now.",
        };
      };
    },
  },
  {
    words: ["keys", "allowlist", "add"],
    operands: ["KEY", "URL"],
    required: [],
    optional: [],
    synopsis: "KEY URL",
    async prepare({ operands }) {
      const keyId = checkKeyId(operands.KEY!);
      return async (db) => allowlistOutput(keyId, await addAllowlistEntry(db, keyId, operands.URL!, ACTOR));
    },
  },
  {
    words: ["keys", "allowlist", "remove"],
    operands: ["KEY", "URL"],
    required: [],
    optional: [],
    synopsis: "KEY URL",
    async prepare({ operands }) {
      const keyId = checkKeyId(operands.KEY!);
      return async (db) => allowlistOutput(keyId, await removeAllowlistEntry(db, keyId, operands.URL!, ACTOR));
    },
  },
  {
    words: ["keys", "allowlist", "list"],
    operands: ["KEY"],
    required: [],
    optional: [],
    synopsis: "KEY",
    async prepare({ operands }) {
      const keyId = checkKeyId(operands.KEY!);
      return async (db) => allowlistOutput(keyId, (await listAllowlist(db, keyId)).allowlist);
    },
  },
  {
    words: ["keys", "revoke"],
    operands: ["KEY"],
    required: [],
    optional: [],
    synopsis: "KEY",
    async prepare({ operands }) {
      const keyId = checkKeyId(operands.KEY!);
      return async (db) => {
        const revoked = await revokeApiKey(db, keyId, ACTOR);
        return { json: { id: revoked.id, revokedAt: revoked.revokedAt }, human: `Revoked ${revoked.id} at ${revoked.revokedAt}.` };
      };
    },
  },
  {
    words: ["users", "create"],
    operands: [],
    required: ["org", "email", "role"],
    optional: [],
    synopsis: "--org ORG --email EMAIL --role owner|admin|member  (password on stdin)",
    async prepare({ flags }) {
      const role = oneOf("--role", flags.role!, ROLES);
      const password = await readPassword();
      return async (db) => {
        const user = await createUser(db, { orgId: flags.org!, email: flags.email!, role, password }, ACTOR);
        return { json: { id: user.id }, human: `Created user ${user.id} (${user.email}, ${user.role} of ${flags.org}).` };
      };
    },
  },
];

const USAGE = `Usage: ladmin <command> [--json]

Commands:
${COMMANDS.map((c) => {
  const lead = `  ${c.words.join(" ")} `;
  return lead + c.synopsis.replaceAll("\n", `\n${" ".repeat(lead.length)}`);
}).join("\n")}

  SCOPES is a comma-separated list of ${API_SCOPES.join(", ")}.
  N/WINDOW is a rate budget such as 60/60s (window units: ms, s, m, h, d).
  Allowlist URLs are https, or http for localhost and 127.0.0.1 only.
  users create reads the password from stdin, or prompts for it on a terminal.

Options:
  --json      print only the result, as one JSON object
  -h, --help  show this help

ladmin uses the server's database: DATABASE_URL, or the embedded one in
LAYERS_DATA_DIR (default ./.data in the project root). The embedded one can be
used while the server is stopped. Exit status: 0 done, 1 failed, 2 bad arguments.
`;

function parseFlags(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
}

/** parseArgs' own messages run to several sentences; the CLI prints one short line. */
function parseArgsMessage(error: { code?: string; message: string }): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? "";
  const option = quoted.match(/--[\w-]+/)?.[0] ?? quoted.match(/-\w/)?.[0] ?? quoted;
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option}; run ladmin --help`;
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return error.message.includes("does not take an argument") ? `${option} does not take a value` : `${option} needs a value`;
  }
  return error.message.split("\n")[0]!;
}

function resolveCommand(positionals: string[]): Command {
  const startsWith = (command: Command, depth: number) => command.words.slice(0, depth).every((word, i) => positionals[i] === word);
  const command = COMMANDS.find((c) => positionals.length >= c.words.length && startsWith(c, c.words.length));
  if (command) return command;
  // How far the words match some command tells what was expected next.
  let depth = 0;
  while (COMMANDS.some((c) => depth < c.words.length && startsWith(c, depth + 1))) depth++;
  const known = positionals.slice(0, depth);
  const next = [...new Set(COMMANDS.filter((c) => startsWith(c, depth)).map((c) => c.words[depth]!))];
  const given = positionals[depth];
  if (given === undefined) throw new UsageError(`${known.join(" ")} needs a subcommand: ${next.join(", ")}`);
  const choices = next.map((word) => [...known, word].join(" "));
  const expected = choices.length > 1 ? `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}` : choices[0];
  throw new UsageError(`unknown command "${[...known, given].join(" ")}"; expected ${expected}`);
}

function checkArguments(command: Command, positionals: string[], tokens: NonNullable<ReturnType<typeof parseFlags>["tokens"]>) {
  const name = command.words.join(" ");
  const given = positionals.slice(command.words.length);
  const missing = command.operands.slice(given.length);
  if (missing.length) throw new UsageError(`${name} needs ${missing.join(" and ")}: ladmin ${name} ${command.synopsis}`);
  const extra = given[command.operands.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" after ${name} ${command.operands.join(" ")}`.trimEnd());

  const allowed = new Set<string>([...GLOBAL_FLAGS, ...command.required, ...command.optional]);
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (!allowed.has(token.name)) throw new UsageError(`${token.rawName} is not an option of ${name}; run ladmin --help`);
    if (seen.has(token.name) && !("multiple" in OPTIONS[token.name as Flag])) throw new UsageError(`${token.rawName} is given more than once`);
    seen.add(token.name);
  }
  const absent = command.required.filter((flag) => !seen.has(flag));
  if (absent.length) throw new UsageError(`${name} needs ${absent.map((f) => `--${f}`).join(", ")}: ladmin ${name} ${command.synopsis.split("\n")[0]}`);
  return Object.fromEntries(command.operands.map((operand, i) => [operand, given[i]!]));
}

function parseScopes(value: string): ApiScope[] {
  const given = value.split(",").map((s) => s.trim()).filter(Boolean);
  const scopes = given.filter(isApiScope);
  const bad = given.filter((s) => !isApiScope(s));
  if (!scopes.length || bad.length) {
    const got = bad.length ? ` (unknown: ${bad.join(", ")})` : "";
    throw new UsageError(`--scopes must be a comma-separated list of ${API_SCOPES.join(", ")}${got}`);
  }
  return scopes;
}

function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${choices.join(", ")} (got "${value}")`);
}

function checkKeyId(value: string): string {
  const result = keyIdSchema.safeParse(value);
  if (!result.success) throw new UsageError(`KEY ${result.error.issues[0]!.message} (got "${value}")`);
  return result.data;
}

function allowlistOutput(keyId: string, allowlist: string[]): Output {
  const lines = allowlist.length ? allowlist.map((url) => `  ${url}`).join("\n") : "  (empty)";
  return { json: { allowlist }, human: `Allowlist of ${keyId}:\n${lines}` };
}

// Domain input fields named as the CLI spells them.
const SUBJECTS: Record<string, string> = {
  orgId: "--org",
  name: "--name",
  scopes: "--scopes",
  mode: "--mode",
  allow: "--allow",
  writeLimit: "--write-limit",
  readLimit: "--read-limit",
  email: "--email",
  role: "--role",
  password: "the password",
  url: "URL",
};

function describeIssues(issues: Issue[]): string {
  return issues
    .map(({ path, message }) => {
      const field = path.split(".")[0]!;
      const subject = SUBJECTS[field] ?? field;
      return message.startsWith("must ") ? `${subject} ${message}` : `${subject}: ${message}`;
    })
    .join("; ");
}

const GENERIC_VALIDATION_MESSAGE = validationError([]).message;

/** The one stderr line and exit status for anything thrown. */
function failure(error: unknown): { line: string; status: 1 | 2 } {
  if (error instanceof UsageError) return { line: error.message, status: 2 };
  if (error instanceof AppError && (error.code === "VALIDATION" || error.code === "NOT_FOUND")) {
    const issues = error.extra.issues ?? [];
    const line = issues.length && error.message === GENERIC_VALIDATION_MESSAGE ? describeIssues(issues) : error.message;
    return { line, status: 2 };
  }
  if (error instanceof EmbeddedDatabaseBusyError) return { line: error.message, status: 1 };
  if (isDatabaseUnavailable(error)) return { line: `cannot reach the database in DATABASE_URL: ${describeError(error)}`, status: 1 };
  // describeError never repeats a failed query's parameters (hashes, sealed tokens).
  return { line: describeError(error), status: 1 };
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const password = await promptHidden("Password: ");
    if (password !== (await promptHidden("Repeat password: "))) throw new UsageError("the passwords do not match");
    return password;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve) => {
    let value = "";
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || (char === "\u0004" && !value)) return done();
        if (char === "\u0003") {
          stdin.setRawMode(false);
          process.stderr.write("\n");
          process.exit(130);
        }
        if (char === "\u007f" || char === "\b") value = [...value].slice(0, -1).join("");
        else if (char >= " ") value += char;
      }
    };
    stdin.on("data", onData);
  });
}

async function write(stream: NodeJS.WriteStream, text: string) {
  await new Promise<void>((resolve) => stream.write(text, () => resolve()));
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as { code?: string; message: string }));
  }
  const { values: flags, positionals, tokens } = parsed;
  if (flags.help || argv.length === 0) {
    await write(process.stdout, USAGE);
    return 0;
  }
  const command = resolveCommand(positionals);
  const operands = checkArguments(command, positionals, tokens);
  const run = await command.prepare({ operands, flags });

  const config = configOrExit();
  const database = await openProcessDatabase(config, { poolSize: 1 });
  let output: Output;
  try {
    await database.migrate();
    output = await run(database.db);
  } finally {
    await database.close();
  }
  await write(process.stdout, `${flags.json ? JSON.stringify(output.json) : output.human}\n`);
  return 0;
}

// stdout carries the result alone: log lines go to stderr.
setLogSink((line) => process.stderr.write(`${line}\n`));

let status: number;
try {
  status = await main(process.argv.slice(2));
} catch (error) {
  const { line, status: code } = failure(error);
  await write(process.stderr, `ladmin: ${line.replace(/\s*\n\s*/g, " ")}\n`);
  status = code;
}
// Exit now: a driver's idle timer or a paused stdin must not keep the process alive.
process.exit(status);
