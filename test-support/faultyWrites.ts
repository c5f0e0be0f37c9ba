import type { Queryable } from "@/db/client";

/**
 * A database whose matching UPDATEs fail as a lost connection does, or never
 * come back (the process died mid-write), while everything else goes through:
 * the fault sits exactly between a platform's reply and the write that
 * stores it. `matches` sees the values of each `update(table).set(values)`.
 */
export function faultyWrites(
  db: Queryable,
  opts: { matches: (values: Record<string, unknown>) => boolean; fail: number | "hang"; onFault?: () => void },
): Queryable {
  let failuresLeft = opts.fail === "hang" ? Infinity : opts.fail;
  const lostConnection = () => Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
  // A drizzle query builder is a thenable chain (set → where → returning); the fault is decided at `set`
  // and delivered when the chain is awaited.
  const faulty = <T extends object>(builder: T, fault: "fail" | "hang"): T => {
    // Every way of awaiting the chain (then, catch, finally) meets the fault, and none runs the query.
    const outcome = () => {
      opts.onFault?.();
      return fault === "hang" ? new Promise<never>(() => {}) : Promise.reject(lostConnection());
    };
    const settle: Record<PropertyKey, (...args: never[]) => unknown> = {
      then: (onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) => outcome().then(onFulfilled, onRejected),
      catch: (onRejected?: (e: unknown) => unknown) => outcome().catch(onRejected),
      finally: (onFinally?: () => void) => outcome().finally(onFinally),
    };
    return new Proxy(builder, {
      get(target, prop, receiver) {
        if (prop in settle) return settle[prop];
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? (...args: unknown[]) => faulty(value.apply(target, args), fault) : value;
      },
    });
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== "update") return Reflect.get(target, prop, receiver);
      return (table: unknown) => {
        const builder = (target.update as (t: unknown) => { set(values: Record<string, unknown>): object })(table);
        return new Proxy(builder, {
          get(inner, innerProp, innerReceiver) {
            if (innerProp !== "set") return Reflect.get(inner, innerProp, innerReceiver);
            return (values: Record<string, unknown>) => {
              const next = inner.set(values);
              if (!opts.matches(values) || failuresLeft <= 0) return next;
              failuresLeft--;
              return faulty(next, opts.fail === "hang" ? "hang" : "fail");
            };
          },
        });
      };
    },
  });
}
