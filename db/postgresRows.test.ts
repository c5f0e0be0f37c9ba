import postgres from "postgres";
import { expect, test } from "vitest";

/**
 * postgres-js 3.4.9 kept its row index when a query was cut off mid-rows (a
 * row's error, or the connection closing in an outage), so the next query on
 * that connection resolved with holes before its rows: `const [row] = ...`
 * read undefined, and a valid key answered 401 right after PostgreSQL came
 * back (seen in the fault suite). patches/postgres+3.4.9.patch, applied by
 * `npm install` (patch-package), starts the index over with each result
 * (porsager/postgres#1181, #1119, open upstream). Like the rate-limit backend
 * suite, this talks to PostgreSQL in both CI passes: at DATABASE_URL, or the
 * machine's own.
 */
test("a query after one cut off mid-rows on the same connection resolves with its own rows from index 0", async () => {
  const sql = postgres(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  try {
    // Three rows stream, then row 4 divides by zero; the second query is pipelined behind it.
    const cutOff = sql`select i, 1 / (4 - i) as boom from generate_series(1, 10) i`.then(
      () => null,
      (error: Error) => error.message,
    );
    const next = sql`select x from generate_series(1, 5) x`;
    expect(await cutOff).toBe("division by zero");
    const rows = await next;
    expect(Object.keys(rows)).toEqual(["0", "1", "2", "3", "4"]);
    expect(rows.map((row) => row.x)).toEqual([1, 2, 3, 4, 5]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});
