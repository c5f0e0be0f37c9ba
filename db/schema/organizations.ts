import { pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn } from "./columns";

/** The tenant: every project, key, member and account belongs to exactly one. */
export const organizations = pgTable("organizations", {
  id: idColumn(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});
