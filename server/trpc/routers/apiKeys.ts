import { z } from "zod";
import { API_SCOPES } from "../../keys/scopes";
import { addAllowlistEntry, createApiKey, getApiKey, listApiKeys, removeAllowlistEntry, revokeApiKey, updateKeyBudgets } from "../../keys/service";
import { adminProcedure, orgProcedure, router, userActor } from "../init";

const defaults = (ctx: { services: { config: { writeLimit: { text: string }; readLimit: { text: string } } } }) => ({
  defaultWriteLimit: ctx.services.config.writeLimit.text,
  defaultReadLimit: ctx.services.config.readLimit.text,
});

export const apiKeysRouter = router({
  list: orgProcedure.query(async ({ ctx }) => (await listApiKeys(ctx.services.database.db, ctx.org.id)).map((k) => ({ ...k, ...defaults(ctx) }))),
  get: orgProcedure.input(z.object({ id: z.string() })).query(async ({ ctx, input }) => ({
    ...(await getApiKey(ctx.services.database.db, ctx.org.id, input.id)),
    ...defaults(ctx),
  })),
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
      const key = await createApiKey(
        ctx.services.database.db,
        { ...input, orgId: ctx.org.id, writeLimit: input.writeLimit || undefined, readLimit: input.readLimit || undefined },
        userActor(ctx),
      );
      return { id: key.id, key: key.key, prefix: key.prefix };
    }),
  revoke: adminProcedure
    .input(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.services.database.db, input.id, userActor(ctx), ctx.org.id)),
  updateBudgets: adminProcedure
    .input(z.object({ id: z.string(), writeLimit: z.string().nullable(), readLimit: z.string().nullable() }))
    .mutation(({ ctx, input }) =>
      updateKeyBudgets(ctx.services.database.db, ctx.org.id, input.id, { writeLimit: input.writeLimit || null, readLimit: input.readLimit || null }, userActor(ctx)),
    ),
});

export const allowlistRouter = router({
  add: adminProcedure.input(z.object({ keyId: z.string(), url: z.string() })).mutation(async ({ ctx, input }) => ({
    allowlist: await addAllowlistEntry(ctx.services.database.db, input.keyId, input.url, userActor(ctx), ctx.org.id),
  })),
  remove: adminProcedure.input(z.object({ keyId: z.string(), url: z.string() })).mutation(async ({ ctx, input }) => ({
    allowlist: await removeAllowlistEntry(ctx.services.database.db, input.keyId, input.url, userActor(ctx), ctx.org.id),
  })),
});
