import { index, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn, instant, updatedAt } from "./columns";
import { organizations } from "./organizations";

/** A project owns the social accounts its end-customers connect. */
export const projects = pgTable(
  "projects",
  {
    id: idColumn(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // Archived projects keep their history but accept no new connections.
    archivedAt: instant("archived_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("projects_org_idx").on(t.orgId)],
);
