import { and, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiKeys } from "@/db/schema";

/** A value that must never show in an answer or a log line: it stands for a key's secret hash. */
export const SECRET_PARAMETER = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/**
 * A real query that the database refuses, with a secret among its bound
 * parameters: drizzle raises `Failed query: <SQL> params: <secret>`, and the
 * driver's cause quotes the secret too (`invalid input syntax for type uuid: "<secret>"`).
 */
export async function failingQuery(db: Queryable): Promise<never> {
  await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.secretHash, SECRET_PARAMETER), sql`${SECRET_PARAMETER}::uuid is not null`));
  throw new Error("the failing query succeeded");
}

/** What an answer or a log line must not contain after that query failed. */
export const QUERY_LEAKS = new RegExp(`${SECRET_PARAMETER.slice(0, 16)}|secret_hash|Failed query|params:|select `, "i");
