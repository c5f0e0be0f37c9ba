import { refreshSocialAccount } from "../../accounts/refreshNow";
import { checkId } from "../args";
import { defineCommand, OPERATOR } from "../command";

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
