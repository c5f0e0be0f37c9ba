import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, expect, test } from "vitest";

/**
 * postgres-js 3.4.9 keeps its pool's connections in queues (open, busy,
 * full, ...) whose array only ever grew while they were in use: shift() left
 * an empty slot and remove() searched the whole array. When every connection
 * is busy, the pool pipelines the next query onto the first busy one, which
 * it shifts off `busy` and pushes back; with two or more busy connections
 * the array never empties, so it grew by one slot per pipelined query and
 * every later move of a connection searched all of it. Under sustained load
 * a server's CPU per query grew with the number of queries it had served
 * (22 -> 82 µs after 240,000 in a loop of 20 concurrent queries on a pool
 * of 10). patches/postgres+3.4.9.patch keeps the array as long as its live
 * part. The queue is loaded from beside the entry point the app resolves,
 * so this tests the code the app runs.
 */
type Queue<T> = { readonly length: number; push(x: T): T; shift(): T | undefined; remove(x: T): T | null };
const entry = fileURLToPath(import.meta.resolve("postgres"));
const { default: Queue } = (await import(pathToFileURL(join(dirname(entry), "queue.js")).href)) as { default: <T>(initial?: T[]) => Queue<T> };

const nativeIndexOf = Array.prototype.indexOf;
afterEach(() => {
  Array.prototype.indexOf = nativeIndexOf;
});

/** The lengths of the arrays searched by indexOf while `work` runs (synchronously: nothing else runs meanwhile). */
function searchedLengths(work: () => void): number[] {
  const lengths: number[] = [];
  Array.prototype.indexOf = function (this: unknown[], ...args: Parameters<typeof nativeIndexOf>) {
    lengths.push(this.length);
    return nativeIndexOf.apply(this, args);
  };
  try {
    work();
  } finally {
    Array.prototype.indexOf = nativeIndexOf;
  }
  return lengths;
}

test("pipelining onto busy connections 100,000 times leaves the busy queue's array as short as its live part", () => {
  const busy = Queue<string>();
  for (const connection of ["a", "b", "c"]) busy.push(connection);
  let found = 0;
  const lengths = searchedLengths(() => {
    for (let i = 0; i < 100_000; i++) {
      // As the pool's handler and move(): take the first busy connection, send it a query, put it back.
      const connection = busy.shift()!;
      if (busy.remove(connection) !== null) found++;
      busy.push(connection);
    }
  });
  expect(found).toBe(0);
  expect(lengths).toHaveLength(100_000);
  expect(Math.max(...lengths)).toBeLessThanOrEqual(100);
  // Still a queue: first in, first out, and a connection that goes idle leaves it.
  expect(busy.remove("b")).toBe("b");
  expect(busy.length).toBe(2);
  const order = [busy.shift(), busy.shift()];
  expect(order.sort()).toEqual(["a", "c"]);
  expect(busy.length).toBe(0);
  expect(busy.shift()).toBeUndefined();
});

test("the queue keeps its order across shifts, removals and compaction", () => {
  const queue = Queue<number>();
  const model: number[] = [];
  let next = 0;
  for (let step = 0; step < 20_000; step++) {
    const choice = (step * 7919) % 10;
    if (choice < 5 || model.length === 0) {
      model.push(queue.push(next++));
    } else if (choice < 8) {
      expect(queue.shift()).toBe(model.shift());
    } else {
      const victim = model[(step * 31) % model.length]!;
      model.splice(model.indexOf(victim), 1);
      expect(queue.remove(victim)).toBe(victim);
    }
    expect(queue.length).toBe(model.length);
  }
  while (model.length) expect(queue.shift()).toBe(model.shift());
  expect(queue.length).toBe(0);
});
