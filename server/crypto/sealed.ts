import { and, asc, eq, getTableName, gt, isNotNull, like, not } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { oauthStates, socialAccounts, webhookEndpoints } from "@/db/schema";
import type { DomainContext } from "../domain/context";
import { log } from "../log";
import { type Binding, SealError } from "./secretbox";

/**
 * Every column that holds a sealed value, in one list: seal and open take
 * their binding from here, and the reseal pass walks the same list, so a
 * new sealed column (webhook secrets) is one entry and cannot be missed by
 * `ladmin secrets reencrypt`.
 */
class SealedColumn {
  constructor(
    readonly table: PgTable,
    readonly id: PgColumn,
    readonly column: PgColumn,
    /** The drizzle property of `column`, for the update. */
    readonly key: string,
  ) {}

  get name() {
    return `${getTableName(this.table)}.${this.column.name}`;
  }

  /** The binding of this column's value in row `rowId`. */
  at(rowId: string): Binding {
    return { table: getTableName(this.table), column: this.column.name, rowId };
  }
}

export const SEALED = {
  accessToken: new SealedColumn(socialAccounts, socialAccounts.id, socialAccounts.accessTokenEnc, "accessTokenEnc"),
  refreshToken: new SealedColumn(socialAccounts, socialAccounts.id, socialAccounts.refreshTokenEnc, "refreshTokenEnc"),
  codeVerifier: new SealedColumn(oauthStates, oauthStates.id, oauthStates.codeVerifierEnc, "codeVerifierEnc"),
  webhookSecret: new SealedColumn(webhookEndpoints, webhookEndpoints.id, webhookEndpoints.secretEnc, "secretEnc"),
  webhookPreviousSecret: new SealedColumn(webhookEndpoints, webhookEndpoints.id, webhookEndpoints.previousSecretEnc, "previousSecretEnc"),
} as const;

const BATCH = 200;

export interface ResealReport {
  resealed: number;
  /** Values no known key opens here: the first few, with why. */
  unopened: { count: number; examples: string[] };
}

/**
 * Rewrites sealed values as v2 under the current key. `legacyOnly` limits it
 * to v1 values (what the server does at start, so values from an earlier
 * release keep working without their format ever being opened for use);
 * otherwise every value not yet under the current key is resealed, after
 * which LAYERS_ENCRYPTION_KEYS_PREVIOUS can be emptied.
 *
 * Each row is updated only if it still holds the value that was read, so a
 * token refreshed meanwhile (already sealed under the current key) is kept.
 */
export async function resealAll(ctx: DomainContext, opts: { legacyOnly?: boolean } = {}): Promise<ResealReport> {
  const { box } = ctx;
  // First: without a key (ladmin with DATABASE_URL and no LAYERS_ENCRYPTION_KEY) this fails before any write.
  const currentId = box.currentKeyId();
  const report: ResealReport = { resealed: 0, unopened: { count: 0, examples: [] } };
  for (const sealed of Object.values(SEALED)) {
    const pending = opts.legacyOnly ? like(sealed.column, "v1.%") : not(like(sealed.column, `v2.${currentId}.%`));
    let after: string | undefined;
    for (;;) {
      const rows = (await ctx.db
        .select({ id: sealed.id, value: sealed.column })
        .from(sealed.table)
        .where(and(isNotNull(sealed.column), pending, after === undefined ? undefined : gt(sealed.id, after)))
        .orderBy(asc(sealed.id))
        .limit(BATCH)) as Array<{ id: string; value: string }>;
      for (const row of rows) {
        let next: string;
        try {
          next = box.reseal(row.value, sealed.at(row.id));
        } catch (error) {
          if (!(error instanceof SealError)) throw error;
          report.unopened.count++;
          if (report.unopened.examples.length < 3) report.unopened.examples.push(error.message);
          continue;
        }
        const updated = await ctx.db
          .update(sealed.table)
          .set({ [sealed.key]: next })
          .where(and(eq(sealed.id, row.id), eq(sealed.column, row.value)))
          .returning({ id: sealed.id });
        report.resealed += updated.length;
      }
      if (rows.length < BATCH) break;
      after = rows.at(-1)!.id;
    }
  }
  return report;
}

/**
 * At server start, after migrations: values an earlier release sealed in the
 * v1 format become v2 before the first request, so upgrading needs no step
 * and the v1 format is never opened for use. A value that does not open is
 * left as it is (it could not be used anyway) and named in the log.
 */
export async function resealLegacyValues(ctx: DomainContext): Promise<ResealReport> {
  const report = await resealAll(ctx, { legacyOnly: true });
  if (report.resealed) log.info("resealed v1 secrets as v2 (bound to their rows)", { resealed: report.resealed });
  if (report.unopened.count) log.warn("v1 secrets that did not open were left as they are", { count: report.unopened.count, examples: report.unopened.examples });
  return report;
}
