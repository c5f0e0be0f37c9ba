import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { failingQuery, QUERY_LEAKS, SECRET_PARAMETER } from "@/test-support/failingQuery";
import { openTestDatabase } from "@/test-support/testDatabase";
import { describeError } from "./log";

let database: Database;
beforeAll(async () => {
  ({ database } = await openTestDatabase());
});
afterAll(() => database?.close());

const caught = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
};

describe("describeError", () => {
  it("describes a real failed query by the driver's class and SQLSTATE, without the SQL, its parameters or the value the database quotes", async () => {
    const error = await caught(() => failingQuery(database.db));
    // The raw error carries all of it; the description none.
    expect(`${(error as Error).message} ${String((error as Error).cause)}`).toContain(SECRET_PARAMETER);
    const line = describeError(error);
    expect(line).toMatch(/^query failed: \w+ \[22P02\]: invalid input syntax for type uuid/);
    expect(line).not.toMatch(QUERY_LEAKS);
  });

  it("names the constraint a real failed insert broke, not the duplicate value", async () => {
    const { organizations } = await import("@/db/schema");
    const id = `org_${randomBytes(8).toString("hex")}`;
    await database.db.insert(organizations).values({ id, name: "First" });
    const error = await caught(() => database.db.insert(organizations).values({ id, name: SECRET_PARAMETER }));
    const line = describeError(error);
    expect(line).toMatch(/\[23505\].*constraint organizations_pkey/);
    expect(line).not.toContain(id);
    expect(line).not.toMatch(QUERY_LEAKS);
  });

  it("keeps other errors' messages, which name no parameters", () => {
    expect(describeError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(
      "Error [ECONNREFUSED]: connect ECONNREFUSED 127.0.0.1:5432",
    );
    expect(describeError({ token: "x" })).toBe("a thrown object");
  });
});
