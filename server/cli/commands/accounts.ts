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
      const account = await refreshSocialAccount(ctx, OPERATOR, accountId);
      return {
        json: account,
        human: `Refreshed ${account.platform} account ${account.id} (@${account.username ?? account.platformUserId}); access token valid until ${account.accessTokenExpiresAt ?? "unknown"}.`,
      };
    };
  },
});
