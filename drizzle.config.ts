import { defineConfig } from "drizzle-kit";

// Migrations are generated from db/schema and committed; the same SQL runs on
// PGlite (embedded) and PostgreSQL.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./drizzle",
});
