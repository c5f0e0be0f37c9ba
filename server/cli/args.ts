import { type ParseArgsConfig, parseArgs } from "node:util";
import { type IdKind, idSchema } from "../contract/ids";
import { closestName } from "../contract/suggest";
import type { Command } from "./command";

/** Wrong arguments: exit 2 with the message as the one line on stderr. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

const GLOBAL_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/**
 * parseArgs needs every option before it can tell operands from option
 * values, so the options are the union of every command's flags. A name
 * declared repeatable by one command and single by another would parse
 * differently depending on the command, hence refused.
 */
export function optionsOf(commands: readonly Command[]): Options {
  const options: Options = { ...GLOBAL_OPTIONS };
  for (const command of commands) {
    for (const name of [...command.required, ...command.optional, ...command.repeatable]) {
      const multiple = command.repeatable.includes(name);
      const known = options[name];
      if (known && (known.type !== "string" || Boolean(known.multiple) !== multiple)) {
        throw new Error(`ladmin: --${name} is declared differently by ${command.words.join(" ")} and another command`);
      }
      options[name] = multiple ? { type: "string", multiple: true } : { type: "string" };
    }
  }
  return options;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  tokens: Array<{ kind: string; name?: string; rawName?: string }>;
}

export function parseArgv(argv: string[], options: Options): ParsedArgs {
  // An OS cannot pass a NUL in argv, but run() is also called in-process, and PostgreSQL refuses it in text.
  const withNul = argv.findIndex((arg) => arg.includes("\u0000"));
  if (withNul !== -1) throw new UsageError(`argument ${withNul + 1} contains a NUL character`);
  try {
    const { values, positionals, tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
    return { flags: values as ParsedArgs["flags"], positionals, tokens };
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as { code?: string; message: string }, Object.keys(options)));
  }
}

/** parseArgs' own messages run to several sentences; the CLI prints one short line. */
function parseArgsMessage(error: { code?: string; message: string }, known: string[]): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? "";
  const option = quoted.match(/--[\w-]+/)?.[0] ?? quoted.match(/-\w/)?.[0] ?? quoted;
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const meant = option.startsWith("--") ? closestName(option.slice(2), known) : undefined;
    return `unknown option ${option}${meant ? ` (did you mean --${meant}?)` : ""}; run ladmin --help`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return error.message.includes("does not take an argument") ? `${option} does not take a value` : `${option} needs a value`;
  }
  return error.message.split("\n")[0]!;
}

export function resolveCommand(commands: readonly Command[], positionals: string[]): Command {
  const startsWith = (command: Command, depth: number) => command.words.slice(0, depth).every((word, i) => positionals[i] === word);
  const command = commands.find((c) => positionals.length >= c.words.length && startsWith(c, c.words.length));
  if (command) return command;
  // How far the words match some command tells what was expected next.
  let depth = 0;
  while (commands.some((c) => depth < c.words.length && startsWith(c, depth + 1))) depth++;
  const known = positionals.slice(0, depth);
  const next = [...new Set(commands.filter((c) => startsWith(c, depth)).map((c) => c.words[depth]!))];
  const given = positionals[depth];
  if (given === undefined) throw new UsageError(`${known.join(" ")} needs a subcommand: ${next.join(", ")}`);
  const choices = next.map((word) => [...known, word].join(" "));
  const expected = choices.length > 1 ? `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}` : choices[0];
  throw new UsageError(`unknown command "${[...known, given].join(" ")}"; expected ${expected}`);
}

/** The command's operands by name and its flags, once their presence and count are right. */
export function checkArguments(command: Command, { flags, positionals, tokens }: ParsedArgs) {
  const name = command.words.join(" ");
  const given = positionals.slice(command.words.length);
  const missing = command.operands.slice(given.length);
  if (missing.length) throw new UsageError(`${name} needs ${missing.join(" and ")}: ladmin ${name} ${command.synopsis}`);
  const extra = given[command.operands.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" after ${name} ${command.operands.join(" ")}`.trimEnd());

  const allowed = new Set<string>([...Object.keys(GLOBAL_OPTIONS), ...command.required, ...command.optional, ...command.repeatable]);
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option" || token.name === undefined) continue;
    if (!allowed.has(token.name)) throw new UsageError(`${token.rawName} is not an option of ${name}; run ladmin --help`);
    if (seen.has(token.name) && !command.repeatable.includes(token.name)) throw new UsageError(`${token.rawName} is given more than once`);
    seen.add(token.name);
  }
  const absent = command.required.filter((flag) => !seen.has(flag));
  if (absent.length) throw new UsageError(`${name} needs ${absent.map((f) => `--${f}`).join(", ")}: ladmin ${name} ${command.synopsis.split("\n")[0]}`);

  const values: Record<string, string | string[] | undefined> = {};
  for (const flag of [...command.required, ...command.optional]) values[flag] = flags[flag] as string | undefined;
  for (const flag of command.repeatable) values[flag] = (flags[flag] as string[] | undefined) ?? [];
  return { operands: Object.fromEntries(command.operands.map((operand, i) => [operand, given[i]!])), flags: values };
}

/** An id from the command line, in the words of the domain's own schema. */
export function checkId(subject: string, kind: IdKind, value: string): string {
  const result = idSchema(kind).safeParse(value);
  if (!result.success) throw new UsageError(`${subject} ${result.error.issues[0]!.message} (got "${value}")`);
  return result.data;
}

/** A flag's value that must be one of a fixed list. */
export function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${choices.join(", ")} (got "${value}")`);
}
