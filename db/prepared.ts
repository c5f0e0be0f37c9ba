import type { Db } from "./client";

/**
 * A prepared statement per database, built on first use. Hot-path queries
 * use these: the SQL is built once instead of per request, and PostgreSQL
 * parses and plans it once per connection instead of on every call (drizzle
 * otherwise sends unnamed statements, costing an extra round trip each).
 */
export function preparedQuery<T>(name: string, build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let prepared = cache.get(db);
    if (!prepared) {
      prepared = build(db);
      cache.set(db, prepared);
    }
    return prepared;
  };
}
