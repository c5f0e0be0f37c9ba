import { pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, instant } from "./columns";

/** Console users. Sign-in is email + password; only an argon2id hash is kept. */
export const users = pgTable(
  "users",
  {
    id: idColumn(),
    // Stored lower-cased so sign-in is case-insensitive and unique per person.
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash").notNull(),
    // Console sessions are JWTs; signing out sets this, and any session issued
    // before it is refused, so a copied cookie dies with the sign-out.
    sessionsRevokedAt: instant("sessions_revoked_at"),
    // A disabled user cannot sign in, and their sessions end (sessionsRevokedAt is set with it).
    disabledAt: instant("disabled_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);
