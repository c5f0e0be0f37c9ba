import { z } from "zod";
import { ids } from "@/server/contract/ids";
import { API_SCOPES } from "../../keys/scopes";
import { addAllowlistEntry, createApiKey, getApiKey, listApiKeys, removeAllowlistEntry, revokeApiKey, updateKeyBudgets } from "../../keys/service";
import type { Services } from "../../services";
import { call } from "../domain";
import { adminProcedure, orgProcedure, router } from "../init";

/**
 * What the key form and the new-key panel say about this instance: the
 * public URL the API answers at, whether the sandbox serves test keys, and
 * which platforms have app credentials for live keys. Whether, never what:
 * the credentials themselves stay on the server.
 */
function instanceFacts(config: Services["config"]) {
  return {
    publicUrl: config.publicUrl,
    sandbox: config.sandbox,
    platforms: { tiktok: config.tiktok.credentials != null, instagram: config.instagram.credentials != null },
  };
}

const defaults = (ctx: { services: { config: { writeLimit: { text: string }; readLimit: { text: string } } } }) => ({
  defaultWriteLimit: ctx.services.config.writeLimit.text,
  defaultReadLimit: ctx.services.config.readLimit.text,
});

export const apiKeysRouter = router({
  list: orgProcedure.query(async ({ ctx }) => (await listApiKeys(...call(ctx))).map((k) => ({ ...k, ...defaults(ctx) }))),
  get: orgProcedure.input(z.object({ id: ids.key })).query(async ({ ctx, input }) => ({
    ...(await getApiKey(...call(ctx), input.id)),
    ...defaults(ctx),
  })),
  instance: orgProcedure.query(({ ctx }) => instanceFacts(ctx.services.config)),
  /** The only time the full key exists: the console shows it once. */
  create: adminProcedure
    .input(
      z.object({
        name: z.string(),
        scopes: z.array(z.enum(API_SCOPES)),
        mode: z.enum(["live", "test"]),
        writeLimit: z.string().optional(),
        readLimit: z.string().optional(),
        allow: z.array(z.string()).default([]),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const key = await createApiKey(...call(ctx), { ...input, writeLimit: input.writeLimit || undefined, readLimit: input.readLimit || undefined });
      return { id: key.id, key: key.key, prefix: key.prefix, mode: key.mode, allowlist: key.allowlist };
    }),
  revoke: adminProcedure
    .input(z.object({ id: ids.key }))
    .mutation(({ ctx, input }) => revokeApiKey(...call(ctx), input.id)),
  updateBudgets: adminProcedure
    .input(z.object({ id: ids.key, writeLimit: z.string().nullable(), readLimit: z.string().nullable() }))
    .mutation(({ ctx, input }) =>
      updateKeyBudgets(...call(ctx), { keyId: input.id, writeLimit: input.writeLimit || null, readLimit: input.readLimit || null }),
    ),
});

export const allowlistRouter = router({
  // `added` false and `message` set when the URL (normalised) was already on the list: the console says so.
  add: adminProcedure.input(z.object({ keyId: ids.key, url: z.string() })).mutation(async ({ ctx, input }) => {
    const { allowlist, added, message } = await addAllowlistEntry(...call(ctx), input);
    return { allowlist, added, message };
  }),
  remove: adminProcedure.input(z.object({ keyId: ids.key, url: z.string() })).mutation(async ({ ctx, input }) => ({
    allowlist: await removeAllowlistEntry(...call(ctx), input),
  })),
});
