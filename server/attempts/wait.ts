/**
 * Waiting for an attempt to end (issue 11 item 6): the status long-poll,
 * a callback replayed while another holds the claim, and the hosted return
 * page. Ends are announced with NOTIFY at commit (ended.ts), so a waiter
 * wakes within moments of the end on whichever instance it happened.
 *
 * One LISTEN per process, on a connection of its own, started by the first
 * waiter and shared by all; waiters are kept in memory by state. A request
 * that waits therefore holds no pooled connection: it reads, waits on a
 * promise, and reads again.
 */
import type { Database, Subscription } from "@/db/client";
import { ID_PATTERNS } from "@/db/ids";
import type { StateStatus } from "@/db/schema";
import type { DomainContext } from "../domain/context";
import { ATTEMPTS_CHANNEL } from "./ended";
import { attemptStatus } from "./status";
import { findAttempt } from "./store";

/** Why a wait stopped: the attempt's end was announced, the time ran out, or the waiter was dropped (the client left, or the process is closing). */
export type Wake = "ended" | "timeout" | "stopped";

/** A waiter on one attempt, open from `watch` until `close`. */
export interface AttemptWatch {
  /**
   * Waits up to `ms` for the attempt's end to be announced. An announcement
   * that came since the watch opened (or since the last `next`) answers at
   * once, so one committed between a read and this call is not missed.
   * `signal` aborting drops the waiter: it answers "stopped", and so does
   * every later call.
   */
  next(ms: number, signal?: AbortSignal): Promise<Wake>;
  close(): void;
}

export interface AttemptWaiters {
  /** Opens a watch on `stateId` once this process is listening: read the attempt after this, not before. */
  watch(stateId: string): Promise<AttemptWatch>;
  /** The open watches on `stateId`. */
  count(stateId: string): number;
  /** Stops every wait and the listening connection. */
  close(): Promise<void>;
}

interface Waiter {
  /** An announcement that came while the waiter was not waiting. */
  announced: boolean;
  /** Ends the wait in progress, if there is one. */
  wake?: (wake: Wake) => void;
}

export function createAttemptWaiters(database: Pick<Database, "listen">): AttemptWaiters {
  const byState = new Map<string, Set<Waiter>>();
  let subscription: Promise<Subscription> | undefined;
  let closed = false;

  const announce = (waiter: Waiter) => {
    if (waiter.wake) waiter.wake("ended");
    else waiter.announced = true;
  };
  const onEnded = (stateId: string) => byState.get(stateId)?.forEach(announce);
  // Ends announced while the connection was down are lost: every waiter reads its attempt again.
  const onResubscribed = () => byState.forEach((waiters) => waiters.forEach(announce));

  function listening(): Promise<Subscription> {
    // A LISTEN that failed (the database is down) is tried again by the next waiter.
    subscription ??= database.listen(ATTEMPTS_CHANNEL, onEnded, onResubscribed).catch((error: unknown) => {
      subscription = undefined;
      throw error;
    });
    return subscription;
  }

  const isOpen = (stateId: string, waiter: Waiter) => byState.get(stateId)?.has(waiter) ?? false;
  function drop(stateId: string, waiter: Waiter) {
    const waiters = byState.get(stateId);
    waiters?.delete(waiter);
    if (waiters?.size === 0) byState.delete(stateId);
    waiter.wake?.("stopped");
  }

  function wait(stateId: string, waiter: Waiter, ms: number, signal?: AbortSignal): Promise<Wake> {
    if (!isOpen(stateId, waiter)) return Promise.resolve("stopped");
    if (waiter.announced) {
      waiter.announced = false;
      return Promise.resolve("ended");
    }
    if (signal?.aborted) {
      drop(stateId, waiter);
      return Promise.resolve("stopped");
    }
    return new Promise((resolve) => {
      const onAbort = () => drop(stateId, waiter);
      // Real time, not the services' clock: a client holds the request for seconds of its own time.
      const timer = setTimeout(() => waiter.wake?.("timeout"), Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
      waiter.wake = (wake) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        waiter.wake = undefined;
        resolve(wake);
      };
    });
  }

  return {
    async watch(stateId) {
      if (closed) throw new Error("The attempt waiters are closed.");
      const waiter: Waiter = { announced: false };
      // Registered before LISTEN is confirmed: an end announced as it starts still counts.
      byState.set(stateId, (byState.get(stateId) ?? new Set()).add(waiter));
      try {
        await listening();
      } catch (error) {
        drop(stateId, waiter);
        throw error;
      }
      return { next: (ms, signal) => wait(stateId, waiter, ms, signal), close: () => drop(stateId, waiter) };
    },
    count: (stateId) => byState.get(stateId)?.size ?? 0,
    async close() {
      closed = true;
      for (const [stateId, waiters] of [...byState]) for (const waiter of [...waiters]) drop(stateId, waiter);
      const pending = subscription;
      subscription = undefined;
      await pending?.then(
        (listener) => listener.close(),
        () => {},
      );
    },
  };
}

/** Timers may fire a millisecond before the clock reads their moment; waking this much later reads the changed status. */
const CLOCK_MARGIN_MS = 20;

type Timed = { status: StateStatus; expiresAt: Date; leaseExpiresAt: Date | null };

/**
 * When the status changes by the clock alone, with no end to announce it: a
 * pending state expires at `expiresAt`; a claim is abandoned (reads failed)
 * when its lease runs out. Called only on a row that reads pending.
 */
const changesByClockAt = (row: Timed): number => (row.status === "processing" ? row.leaseExpiresAt!.getTime() : row.expiresAt.getTime());

/**
 * Reads the attempt with `read` and, while it reads pending, waits for its
 * end (or for its status to change by the clock) and reads it again, for at
 * most `ms`. Normally two reads: one before the wait, one after waking. The
 * watch opens before the first read, so an end committed in between is not
 * missed. `stopped`: the signal aborted (or the process is closing), and
 * `row` is the last read, with nothing read after it.
 */
export async function readUntilEnded<R extends Timed>(
  waiters: AttemptWaiters,
  stateId: string,
  read: () => Promise<R | undefined>,
  opts: { ms: number; signal?: AbortSignal },
): Promise<{ row: R | undefined; stopped: boolean }> {
  const deadline = Date.now() + opts.ms;
  const watch = await waiters.watch(stateId);
  try {
    let row = await read();
    while (row && Date.now() < deadline && attemptStatus(row) === "pending") {
      const until = Math.min(deadline, changesByClockAt(row) + CLOCK_MARGIN_MS);
      if ((await watch.next(until - Date.now(), opts.signal)) === "stopped") return { row, stopped: true };
      row = await read();
    }
    return { row, stopped: false };
  } finally {
    watch.close();
  }
}

/**
 * For the hosted pages, which hold nothing but the state: waits up to `ms`
 * while the attempt reads pending, so the page shows the outcome rather than
 * "still connecting". The page reads the outcome itself afterwards.
 */
export async function awaitAttemptEnd(ctx: DomainContext, stateId: string, ms: number): Promise<void> {
  if (!ID_PATTERNS.st.test(stateId)) return;
  await readUntilEnded(ctx.waiters, stateId, () => findAttempt(ctx, stateId), { ms });
}
