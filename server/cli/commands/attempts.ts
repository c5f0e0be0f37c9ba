import { KEY_MODES } from "@/db/schema";
import { listAttempts } from "../../attempts/log";
import { modeScope, orgScope } from "../../domain/scope";
import { projectOrg } from "../../projects/service";
import { checkId, UsageError } from "../args";
import { defineCommand, listOutput, OPERATOR } from "../command";

const MAX_PER_MODE = 100;

function parseLimit(value: string | undefined): number {
  if (value === undefined) return MAX_PER_MODE;
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_PER_MODE)) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_PER_MODE} (got "${value}")`);
  return limit;
}

export const attemptsList = defineCommand({
  words: ["attempts", "list"],
  required: ["project"],
  optional: ["limit"],
  synopsis: "--project PRJ [--limit N]",
  async prepare({ flags }) {
    const projectId = checkId("--project", "prj", flags.project);
    const limit = parseLimit(flags.limit);
    return async (ctx) => {
      const org = orgScope(await projectOrg(ctx, projectId), OPERATOR.actor);
      const data = [];
      // Both modes, the newest `limit` of each: attempts pile up, so the list stops there.
      // The cap is at most the log's largest page, so one page of each mode holds it.
      for (const mode of KEY_MODES) {
        const page = await listAttempts(ctx, modeScope(org, mode), { projectId, limit });
        data.push(...page.items.map((attempt) => ({ ...attempt, mode })));
      }
      // One list, newest first, as the log pages each mode (ISO times sort as text).
      data.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.state.localeCompare(a.state));
      return listOutput(data, `OAuth attempts of ${projectId}, newest first`, `Project ${projectId} has no OAuth attempts.`, (a) => `${a.state}  ${a.mode}  ${a.status}  ${a.platform}  ${a.createdAt}  ${a.keyId} (${a.keyName})`);
    };
  },
});
