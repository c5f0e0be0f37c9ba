import { randomBytes } from "node:crypto";
import postgres from "postgres";

/**
 * A database of the test's own, for tests that act on every row (resealing
 * every secret): with DATABASE_URL, a new PostgreSQL database beside the
 * shared one, dropped by `drop`; without, undefined, which the harness turns
 * into an in-memory PGlite (already the test's own).
 */
export async function freshDatabase(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const shared = process.env.DATABASE_URL;
  if (!shared) return { url: undefined, drop: async () => {} };
  const name = `layers_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(shared, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(shared);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = postgres(shared, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}
