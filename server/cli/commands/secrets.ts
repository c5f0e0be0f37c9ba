import { resealAll } from "../../crypto/sealed";
import { AppError } from "../../errors";
import { defineCommand } from "../command";

/**
 * `ladmin secrets reencrypt`: every sealed value under the current
 * LAYERS_ENCRYPTION_KEY, so the keys in LAYERS_ENCRYPTION_KEYS_PREVIOUS can
 * be dropped. Safe to run while servers are up (each row is rewritten only if
 * unchanged since it was read) and to run again.
 */
export const secretsReencrypt = defineCommand({
  words: ["secrets", "reencrypt"],
  synopsis: "",
  async prepare() {
    return async (ctx) => {
      const { resealed, unopened } = await resealAll(ctx);
      if (unopened.count) {
        // Exit 1: the operator must not drop a previous key on the strength of this run.
        throw new AppError(
          "INTERNAL",
          `${unopened.count} sealed value(s) did not open and were left as they are (${resealed} resealed), so keep the previous keys for now: ${unopened.examples.join("; ")}`,
        );
      }
      return { json: { resealed }, human: `Resealed ${resealed} value(s) under key ${ctx.box.currentKeyId()}; LAYERS_ENCRYPTION_KEYS_PREVIOUS can now be emptied.` };
    };
  },
});
