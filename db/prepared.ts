import type { Queryable } from "./client";

/**
 * A prepared statement per database, built on first use. Hot-path queries
 * use these: the SQL is built once instead of per request, and PostgreSQL
 * parses and plans it once per connection instead of on every call (drizzle
 * otherwise sends unnamed statements, costing an extra round trip each).
 * A transaction gets its own, so the statement runs inside it.
 */
export function preparedQuery<T>(name: string, build: (db: Queryable) => T): (db: Queryable) => T {
  const cache = new WeakMap<Queryable, T>();
  return (db) => {
    let prepared = cache.get(db);
    if (!prepared) {
      prepared = build(db);
      cache.set(db, prepared);
    }
    return prepared;
  };
}
