import { KEY_MODES } from "@/db/schema";
import { refreshSocialAccount } from "../../accounts/refreshNow";
import { listOrgAccounts } from "../../accounts/service";
import { modeScope, orgScope } from "../../domain/scope";
import { projectOrg } from "../../projects/service";
import { checkId } from "../args";
import { defineCommand, listOutput, OPERATOR } from "../command";

export const accountsList = defineCommand({
  words: ["accounts", "list"],
  required: ["project"],
  synopsis: "--project PRJ",
  async prepare({ flags }) {
    const projectId = checkId("--project", "prj", flags.project);
    return async (ctx) => {
      const org = orgScope(await projectOrg(ctx, projectId), OPERATOR.actor);
      const data = [];
      // Both modes, every page: the operator sees every account of the project.
      for (const mode of KEY_MODES) {
        let cursor: string | undefined;
        do {
          const page = await listOrgAccounts(ctx, modeScope(org, mode), { projectId, cursor });
          data.push(...page.items.map((account) => ({ ...account, mode })));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      return listOutput(data, `Social accounts of ${projectId}`, `Project ${projectId} has no social accounts.`, (a) => `${a.id}  ${a.mode}  ${a.status}  ${a.platform}  @${a.username ?? a.platformUserId}`);
    };
  },
});

export const accountsRefresh = defineCommand({
  words: ["accounts", "refresh"],
  operands: ["ACCOUNT"],
  synopsis: "ACCOUNT",
  async prepare({ operands }) {
    const accountId = checkId("ACCOUNT", "sa", operands.ACCOUNT);
    return async (ctx) => {
      // A refresh refused for good sends social_account.needs_reauth, queued in the same transaction.
      await ctx.jobs.start({ work: false });
      const account = await refreshSocialAccount(ctx, OPERATOR, accountId);
      return {
        json: account,
        human: `Refreshed ${account.platform} account ${account.id} (@${account.username ?? account.platformUserId}); access token valid until ${account.accessTokenExpiresAt ?? "unknown"}.`,
      };
    };
  },
});
