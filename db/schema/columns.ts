import { text, timestamp } from "drizzle-orm/pg-core";

/** Prefixed ULID primary key (`prj_01H...`); generated in code, not by the database. */
export const idColumn = () => text("id").primaryKey();

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
