import type { Actor } from "../audit/record";
import type { DomainContext } from "../domain/context";
import { type OperatorScope, operatorScope, type OrgScope, orgScope } from "../domain/scope";
import { requireOrganization } from "../orgs/service";
import { checkId } from "./args";
import type { CliIo } from "./io";

/** Audit entries written by ladmin name the CLI, not a user. */
const CLI_ACTOR: Actor = { type: "cli" };

/** The instance's operator: what a command names by id alone (a key) is found in whichever organization holds it. */
export const OPERATOR: OperatorScope = operatorScope(CLI_ACTOR);

/** The organization of an `--org` flag, checked before the database is opened. */
export const orgFlag = (value: string): OrgScope => orgScope(checkId("--org", "org", value), CLI_ACTOR);

/** What a command prints: `json` with --json, else `human`. */
export interface Output {
  json: Record<string, unknown>;
  human: string;
}

/** What a list command prints: `{"data":[...]}` with --json, else a header and one indented line per row, or `none`. */
export function listOutput<Row>(data: Row[], header: string, none: string, line: (row: Row) => string): Output {
  return { json: { data }, human: data.length ? `${header}:\n${data.map((row) => `  ${line(row)}`).join("\n")}` : none };
}

/**
 * `<noun> list --org ORG`: one organization's rows. An organization that
 * does not exist is "not found", never an empty list.
 */
export function orgListCommand<Row>(spec: {
  noun: string;
  /** As the header names the rows ("API keys") and as the empty answer does ("API keys", "projects"). */
  title: string;
  plural: string;
  list: (ctx: DomainContext, scope: OrgScope) => Promise<Row[]>;
  line: (row: Row, ctx: DomainContext) => string;
}): Command {
  return defineCommand({
    words: [spec.noun, "list"],
    required: ["org"],
    synopsis: "--org ORG",
    async prepare({ flags }) {
      const scope = orgFlag(flags.org);
      return async (ctx) => {
        await requireOrganization(ctx, scope);
        const data = await spec.list(ctx, scope);
        return listOutput(data, `${spec.title} of ${scope.orgId}`, `Organization ${scope.orgId} has no ${spec.plural}.`, (row) => spec.line(row, ctx));
      };
    },
  });
}

/** A command's work, given the open database as every domain call takes it. */
export type Work = (ctx: DomainContext) => Promise<Output>;

/** A command as the parser sees it: every flag is a string option (json and help are global). */
export interface Command {
  words: readonly string[];
  operands: readonly string[];
  required: readonly string[];
  optional: readonly string[];
  /** Options that may be given more than once; their value is a list, empty when absent. */
  repeatable: readonly string[];
  /** Shown in the usage text after the command words; a newline continues it under them. */
  synopsis: string;
  /**
   * Checks what needs no database (and reads a password, if the command
   * takes one) and returns the work to do with it, so bad arguments never
   * wait for the database.
   */
  prepare(input: { operands: Record<string, string>; flags: Record<string, string | string[] | undefined>; io: CliIo }): Promise<Work>;
}

interface CommandSpec<Op extends string, Req extends string, Opt extends string, Rep extends string> {
  words: readonly string[];
  operands?: readonly Op[];
  required?: readonly Req[];
  optional?: readonly Opt[];
  repeatable?: readonly Rep[];
  synopsis: string;
  prepare(input: {
    operands: Record<Op, string>;
    flags: Record<Req, string> & Partial<Record<Opt, string>> & Record<Rep, string[]>;
    io: CliIo;
  }): Promise<Work>;
}

/** A command whose `prepare` sees its own operands and flags typed as declared. */
export function defineCommand<const Op extends string = never, const Req extends string = never, const Opt extends string = never, const Rep extends string = never>(
  spec: CommandSpec<Op, Req, Opt, Rep>,
): Command {
  return {
    operands: [],
    required: [],
    optional: [],
    repeatable: [],
    ...spec,
    // The parser has checked presence and arity against the same lists.
    prepare: (input) => spec.prepare(input as Parameters<typeof spec.prepare>[0]),
  };
}
