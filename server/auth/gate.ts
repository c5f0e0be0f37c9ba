/**
 * A counting semaphore with a bounded queue. Argon2 verification is meant to
 * be expensive (memory and a core for tens of milliseconds), so a burst of
 * sign-in posts must not run hundreds at once: a few run, some wait their
 * turn, and the rest are refused at once rather than piling up.
 */
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxActive: number,
    readonly maxWaiting: number,
  ) {}

  /** Runs `work` when a slot is free; null (without running it) when the queue is full too. */
  async run<T>(work: () => Promise<T>): Promise<T | null> {
    if (this.active >= this.maxActive) {
      if (this.waiting.length >= this.maxWaiting) return null;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line; `active` stays counted for it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  get load() {
    return { active: this.active, waiting: this.waiting.length };
  }
}
