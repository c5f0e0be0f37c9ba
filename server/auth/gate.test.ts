import { describe, expect, it } from "vitest";
import { Gate } from "./gate";

describe("Gate", () => {
  it("runs at most maxActive at once, queues maxWaiting in order, refuses the rest", async () => {
    const gate = new Gate(2, 1);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const job = (n: number) =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        order.push(n);
        running--;
        return n;
      });
    const first = job(1);
    const second = job(2);
    const third = job(3);
    expect(await gate.run(async () => 4)).toBeNull();
    expect(gate.load).toEqual({ active: 2, waiting: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
    releases.shift()!();
    expect(await Promise.all([second, third])).toEqual([2, 3]);
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3]);
    expect(gate.load).toEqual({ active: 0, waiting: 0 });
  });

  it("frees the slot when the work throws", async () => {
    const gate = new Gate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(async () => "next")).toBe("next");
  });
});
