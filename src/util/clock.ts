// The injectable clock: every timestamp the server reads comes from here, so expiry tests
// can move time without sleeping. Owns nothing else.

export interface Clock {
  /** Unix time in milliseconds. */
  now(): number;
  /** True when now() follows the system clock (so finer system timestamps may be used). */
  readonly system?: boolean;
  /** Drop any cached instant (after work that itself took time, such as DEBUG SLEEP). */
  refresh?(): void;
}

export const systemClock: Clock = { now: () => Date.now(), system: true };

/**
 * The system clock read once per synchronous run of work (a batch of pipelined requests, a
 * timer): later reads in the same run return the same instant, as Redis reads its clock once
 * per command rather than per key. The cached value is dropped at the next microtask
 * checkpoint, so no timer or later batch ever sees a stale time.
 */
export class BatchClock implements Clock {
  readonly system = true;
  #ms = 0;
  #valid = false;
  readonly #drop = () => {
    this.#valid = false;
  };

  now(): number {
    if (this.#valid) return this.#ms;
    this.#ms = Date.now();
    this.#valid = true;
    queueMicrotask(this.#drop);
    return this.#ms;
  }

  refresh(): void {
    this.#valid = false;
  }
}

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(public ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The time in microseconds (TIME, MONITOR, INFO): real sub-millisecond time from a system clock. */
export function nowUsec(clock: Clock): number {
  if (clock.system === true) return Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return clock.now() * 1000;
}
