import { pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn } from "./columns";

/** Console users. Sign-in is email + password; only an argon2id hash is kept. */
export const users = pgTable(
  "users",
  {
    id: idColumn(),
    // Stored lower-cased so sign-in is case-insensitive and unique per person.
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);
