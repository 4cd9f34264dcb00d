// Blocked clients: who waits on which keys (FIFO per key), which keys became ready since the last
// command, and the timers that end a wait. Knows nothing of commands, replies or sockets: a Waiter
// brings its own serve/timeout callbacks (commands/waiter.ts, for the list and sorted-set pops);
// the dispatcher calls serveReady().
import type { Clock } from "../util/clock.ts";

export interface Waiter {
  readonly clientId: number;
  readonly dbId: number;
  /** Distinct keys, in the order given by the command. */
  readonly keys: readonly string[];
  /** Absolute deadline in ms on the server clock; 0 waits forever. */
  readonly deadline: number;
  /**
   * Try to serve the waiter from a ready key. True when it is finished (served, or answered with
   * an error such as WRONGTYPE on a BLMOVE destination); false when the key has nothing for it.
   */
  serve(key: string): boolean;
  /** The wait ended without data (deadline, CLIENT UNBLOCK … TIMEOUT): reply as on timeout. */
  timedOut(): void;
  /** CLIENT UNBLOCK … ERROR. */
  failed(message: string): void;
}

/** The error a client receives from CLIENT UNBLOCK … ERROR (Redis 7's text). */
export const UNBLOCKED_ERROR = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/** setTimeout's largest delay; longer waits re-arm when it fires. */
const MAX_TIMER_MS = 0x7fffffff;

interface Entry {
  waiter: Waiter;
  timer: ReturnType<typeof setTimeout> | null;
}

export class BlockingRegistry {
  readonly #clock: Clock;
  readonly #byClient = new Map<number, Entry>();
  /** Per db id: key → waiters in the order they blocked. */
  readonly #queues = new Map<number, Map<string, Waiter[]>>();
  /** Keys signalled since the last serveReady(), in order, without duplicates. */
  #ready: { dbId: number; key: string }[] = [];
  #readySet = new Set<string>();
  #keyCount = 0;
  /** Called after a waiter was served (not on timeout or unblock): the slow log logs it then. */
  onServed: ((clientId: number) => void) | null = null;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Blocked clients (INFO blocked_clients). */
  get count(): number {
    return this.#byClient.size;
  }

  /** Keys with at least one waiter (INFO total_blocking_keys). */
  get keyCount(): number {
    return this.#keyCount;
  }

  /** True when signalled keys wait to be served (checked by the dispatcher after each command). */
  get pending(): boolean {
    return this.#ready.length !== 0;
  }

  isBlocked(clientId: number): boolean {
    return this.#byClient.has(clientId);
  }

  /** Park a waiter on its keys and arm its deadline. */
  block(w: Waiter): void {
    this.remove(w.clientId);
    let byKey = this.#queues.get(w.dbId);
    if (byKey === undefined) {
      byKey = new Map();
      this.#queues.set(w.dbId, byKey);
    }
    for (const key of w.keys) {
      const q = byKey.get(key);
      if (q === undefined) {
        byKey.set(key, [w]);
        this.#keyCount++;
      } else if (!q.includes(w)) {
        q.push(w);
      }
    }
    const e: Entry = { waiter: w, timer: null };
    this.#byClient.set(w.clientId, e);
    if (w.deadline > 0) this.#arm(e);
  }

  #arm(e: Entry): void {
    const delay = Math.min(Math.max(e.waiter.deadline - this.#clock.now(), 0), MAX_TIMER_MS);
    e.timer = setTimeout(() => {
      e.timer = null;
      if (this.#byClient.get(e.waiter.clientId) !== e) return;
      // The server clock decides; a timer that fires early (or an injected clock) re-arms.
      if (this.#clock.now() < e.waiter.deadline) return this.#arm(e);
      this.#detach(e);
      e.waiter.timedOut();
    }, delay);
  }

  /**
   * A list (or other blocking source) at key may have data now: remember it for serveReady().
   * Cheap when nobody waits, so every push may call it.
   */
  signal(dbId: number, key: string): void {
    if (this.#keyCount === 0) return;
    if (this.#queues.get(dbId)?.has(key) !== true) return;
    const id = `${dbId}\n${key}`;
    if (this.#readySet.has(id)) return;
    this.#readySet.add(id);
    this.#ready.push({ dbId, key });
  }

  /**
   * Serve waiters on every ready key, oldest waiter first, until a key has nothing left. Serving
   * may signal more keys (BLMOVE pushes to its destination); those are served in the same call.
   */
  serveReady(): void {
    while (this.#ready.length !== 0) {
      const batch = this.#ready;
      this.#ready = [];
      this.#readySet.clear();
      for (const { dbId, key } of batch) {
        const q = this.#queues.get(dbId)?.get(key);
        if (q === undefined) continue;
        // Matches Redis: a waiter that cannot use the key's value (a BLPOP on a key that now
        // holds a sorted set, or a key emptied by earlier waiters) stays parked, and those
        // behind it are still offered the key.
        for (let i = 0; i < q.length; ) {
          const w = q[i]!;
          if (!w.serve(key)) {
            i++;
            continue;
          }
          const e = this.#byClient.get(w.clientId);
          if (e !== undefined && e.waiter === w) this.#detach(e);
          if (q[i] === w) i++;
          this.onServed?.(w.clientId);
        }
      }
    }
  }

  /** A blocked client went away: forget it without replying. */
  remove(clientId: number): boolean {
    const e = this.#byClient.get(clientId);
    if (e === undefined) return false;
    this.#detach(e);
    return true;
  }

  /**
   * CLIENT UNBLOCK id [TIMEOUT|ERROR]: end a wait as if it timed out, or with the UNBLOCKED
   * error. Returns false when the client is not blocked.
   */
  unblock(clientId: number, withError: boolean): boolean {
    const e = this.#byClient.get(clientId);
    if (e === undefined) return false;
    this.#detach(e);
    if (withError) e.waiter.failed(UNBLOCKED_ERROR);
    else e.waiter.timedOut();
    return true;
  }

  /** Drop every waiter and timer (server shutdown). */
  clear(): void {
    for (const e of [...this.#byClient.values()]) this.#detach(e);
    this.#ready = [];
    this.#readySet.clear();
  }

  #detach(e: Entry): void {
    const w = e.waiter;
    if (e.timer !== null) clearTimeout(e.timer);
    e.timer = null;
    this.#byClient.delete(w.clientId);
    const byKey = this.#queues.get(w.dbId);
    if (byKey === undefined) return;
    for (const key of w.keys) {
      const q = byKey.get(key);
      if (q === undefined) continue;
      const i = q.indexOf(w);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) {
        byKey.delete(key);
        this.#keyCount--;
      }
    }
  }
}

/**
 * Parse a blocking command's timeout in seconds as Redis 7.0 does (a long double, rounded up to
 * whole milliseconds, so 0.0001 waits 1 ms but -0.0001 rounds to 0 = forever): returns
 * milliseconds (0 = forever) or the error reply text.
 */
export function parseTimeoutSeconds(s: string): number | string {
  const v = parseLongDouble(s);
  if (v === null) return "ERR timeout is not a float or out of range";
  const ms = v * 1000;
  // C converts an out-of-range long double to INT64_MIN: huge timeouts read as negative.
  const tooBig = ms >= 9.2e18 && ms <= 9.3e18 ? exceedsInt64Ms(s) : !(ms < 9223372036854775808);
  if (tooBig) return "ERR timeout is negative";
  const t = Math.ceil(ms);
  if (t < 0) return "ERR timeout is negative";
  return t === 0 ? 0 : t;
}

const DEC = /^[+-]?([0-9]*)\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?$/;
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?$/;
const INF = /^[+-]?inf(?:inity)?$/i;
/** Decimal exponents beyond which an x86 long double overflows or underflows (strtold ERANGE). */
const LD_MAX_EXP10 = 4932;
const LD_MIN_EXP10 = -4951;

/**
 * Redis's string2ld: strtold over the whole string, no leading space, NaN refused, ERANGE
 * overflow/underflow refused. Values beyond a double's range but inside a long double's come
 * back as ±Infinity or 0, which is all a timeout needs.
 */
function parseLongDouble(text: string): number | null {
  if (text.length === 0 || text.length >= 5120) return null;
  // C stops at the first NUL byte; nothing before it converts to 0 with the end pointer on it.
  const nul = text.indexOf("\0");
  const s = nul < 0 ? text : text.slice(0, nul);
  if (s.length === 0) return 0;
  if (INF.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (HEX.test(s)) {
    const neg = s.charCodeAt(0) === 45;
    const body = s.replace(/^[+-]?0[xX]/, "");
    const [mant, exp] = body.split(/[pP]/);
    const [ip, fp = ""] = mant!.split(".");
    let m = 0;
    for (const ch of ip! + fp) m = m * 16 + parseInt(ch, 16);
    const r = m * Math.pow(2, (exp === undefined ? 0 : Number(exp)) - 4 * fp.length);
    return neg ? -r : r;
  }
  const d = DEC.exec(s);
  if (d === null || (d[1] === "" && d[2] === "")) return null;
  const digits = (d[1]! + d[2]!).replace(/^0+/, "");
  if (digits.length > 0) {
    // Decimal magnitude of the literal: leading digit position + exponent.
    const lead = d[1]!.replace(/^0+/, "").length || -(d[2]!.length - d[2]!.replace(/^0+/, "").length);
    const e10 = (d[3] === undefined ? 0 : Number(d[3])) + lead - 1;
    if (e10 > LD_MAX_EXP10 || e10 < LD_MIN_EXP10) return null;
    const v = Number(s);
    // Below a double's range but not a long double's: keep the sign of a non-zero value.
    if (v === 0) return s.charCodeAt(0) === 45 ? -Number.MIN_VALUE : Number.MIN_VALUE;
    return v;
  }
  return Number(s);
}

/** Exact check that a decimal literal of seconds, times 1000, reaches 2^63 (doubles round near it). */
function exceedsInt64Ms(s: string): boolean {
  const d = DEC.exec(s);
  if (d === null) return true;
  const mant = BigInt((d[1]! + d[2]!) || "0");
  const e = (d[3] === undefined ? 0 : Number(d[3])) - d[2]!.length + 3;
  const limit = 1n << 63n;
  return e >= 0 ? mant * 10n ** BigInt(e) >= limit : mant >= limit * 10n ** BigInt(-e);
}
