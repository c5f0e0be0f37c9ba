import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Subscription } from "@/db/client";
import { newStateId } from "@/db/ids";
import { openTestDatabase } from "@/test-support/testDatabase";
import { type DomainContext, inTransaction } from "../domain/context";
import { ATTEMPTS_CHANNEL, attemptEnded } from "./ended";
import { type AttemptWaiters, createAttemptWaiters } from "./wait";

/** A database whose LISTEN is in the test's hands: what it was asked, and a way to announce. */
function fakeListen(opts: { failures?: number } = {}) {
  let failures = opts.failures ?? 0;
  const fake = {
    calls: 0,
    closed: 0,
    announce: (_payload: string) => {},
    resubscribe: () => {},
    async listen(channel: string, onPayload: (payload: string) => void, onResubscribed?: () => void): Promise<Subscription> {
      fake.calls++;
      expect(channel).toBe(ATTEMPTS_CHANNEL);
      if (failures-- > 0) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      fake.announce = onPayload;
      fake.resubscribe = () => onResubscribed?.();
      return { close: async () => void fake.closed++ };
    },
  };
  return fake;
}

describe("the attempt waiters", () => {
  it("start one LISTEN on the first watch, shared by every later one", async () => {
    const db = fakeListen();
    const waiters = createAttemptWaiters(db);
    expect(db.calls).toBe(0);
    const [a, b] = await Promise.all([waiters.watch("st_A"), waiters.watch("st_B")]);
    await waiters.watch("st_A");
    expect(db.calls).toBe(1);
    expect([waiters.count("st_A"), waiters.count("st_B")]).toEqual([2, 1]);
    a.close();
    b.close();
    await waiters.close();
    expect(db.closed).toBe(1);
  });

  it("wake only the waiters of the state announced; an announcement before the wait is kept for it", async () => {
    const db = fakeListen();
    const waiters = createAttemptWaiters(db);
    const a = await waiters.watch("st_A");
    const b = await waiters.watch("st_B");
    db.announce("st_A");
    expect(await a.next(10_000)).toBe("ended");
    const waitingB = b.next(10_000);
    db.announce("st_B");
    expect(await waitingB).toBe("ended");
    expect(await a.next(20)).toBe("timeout");
    await waiters.close();
  });

  it("wake every waiter when LISTEN was re-established, since announcements may have been lost meanwhile", async () => {
    const db = fakeListen();
    const waiters = createAttemptWaiters(db);
    const watches = await Promise.all(["st_A", "st_B"].map((state) => waiters.watch(state)));
    db.resubscribe();
    expect(await Promise.all(watches.map((watch) => watch.next(10_000)))).toEqual(["ended", "ended"]);
    await waiters.close();
  });

  it("drop a waiter whose signal aborts, at once, and answer it 'stopped' from then on", async () => {
    const waiters = createAttemptWaiters(fakeListen());
    const watch = await waiters.watch("st_A");
    const client = new AbortController();
    const waiting = watch.next(10_000, client.signal);
    client.abort();
    expect(await waiting).toBe("stopped");
    expect(waiters.count("st_A")).toBe(0);
    expect(await watch.next(10_000)).toBe("stopped");
    await waiters.close();
  });

  it("let the next watch try LISTEN again when it failed, and leave no waiter behind", async () => {
    const db = fakeListen({ failures: 1 });
    const waiters = createAttemptWaiters(db);
    await expect(waiters.watch("st_A")).rejects.toThrow(/ECONNREFUSED/);
    expect(waiters.count("st_A")).toBe(0);
    const watch = await waiters.watch("st_A");
    expect(db.calls).toBe(2);
    watch.close();
    await waiters.close();
  });

  it("stop every wait when closed", async () => {
    const waiters = createAttemptWaiters(fakeListen());
    const watch = await waiters.watch("st_A");
    const waiting = watch.next(10_000);
    await waiters.close();
    expect(await waiting).toBe("stopped");
    await expect(waiters.watch("st_A")).rejects.toThrow(/closed/);
  });
});

describe("announcing an end on the database", () => {
  let database: Database;
  let waiters: AttemptWaiters;
  beforeAll(async () => {
    database = (await openTestDatabase(2)).database;
    waiters = createAttemptWaiters(database);
  });
  afterAll(async () => {
    await waiters.close();
    await database.close();
  });

  it("reaches the waiters when the transaction commits, and not at all when it rolls back", async () => {
    const ctx = { db: database.db } as DomainContext;
    const [kept, undone] = [newStateId(), newStateId()];
    const watchKept = await waiters.watch(kept);
    const watchUndone = await waiters.watch(undone);
    await inTransaction(ctx, (tx) => attemptEnded(tx, { id: kept } as never));
    await inTransaction(ctx, async (tx) => {
      await attemptEnded(tx, { id: undone } as never);
      throw new Error("rolled back");
    }).catch(() => {});
    expect(await watchKept.next(5_000)).toBe("ended");
    expect(await watchUndone.next(300)).toBe("timeout");
    watchKept.close();
    watchUndone.close();
  });
});
