import { index, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { organizations } from "./organizations";
import { users } from "./users";

import { ROLES } from "../../server/contract/vocabulary";

export { ROLES, type Role } from "../../server/contract/vocabulary";

/** A user's role in an organization: owner and admin manage, member reads. */
export const memberships = pgTable(
  "memberships",
  {
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId] }),
    // "Which organizations is this user in?" at sign-in.
    index("memberships_user_idx").on(t.userId),
  ],
);
