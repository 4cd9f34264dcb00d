// The slow log (SLOWLOG): commands that ran for at least slowlog-log-slower-than microseconds,
// newest first, at most slowlog-max-len of them. Owns the entries and the two settings' cached
// values; the dispatcher decides what to record (commands/diagnostics.ts), SLOWLOG reads it.
import type { Config } from "./config.ts";

/** Matches Redis: at most 32 arguments are kept, the last slot saying how many were dropped. */
export const SLOWLOG_MAX_ARGC = 32;
/** Matches Redis: each argument keeps at most 128 bytes, followed by how many were dropped. */
export const SLOWLOG_MAX_ARGLEN = 128;

export interface SlowlogEntry {
  readonly id: number;
  /** Unix time in seconds when the entry was recorded. */
  readonly time: number;
  /** Execution time in microseconds. */
  readonly usec: number;
  /** The (trimmed, redacted) arguments. */
  readonly argv: readonly string[];
  readonly addr: string;
  readonly name: string;
}

/** Where the slow log reads a command's arguments from: a prefix of argument i, and its length. */
export interface ArgSource {
  readonly argc: number;
  /** Argument i, or at least its first max bytes. */
  prefix(i: number, max: number): string;
  len(i: number): number;
}

/** The arguments as the slow log keeps them: first 31 + "... (N more arguments)", each cut at 128 bytes. */
export function slowlogArgv(src: ArgSource): string[] {
  const argc = src.argc;
  const n = Math.min(argc, SLOWLOG_MAX_ARGC);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (i === SLOWLOG_MAX_ARGC - 1 && argc > SLOWLOG_MAX_ARGC) {
      out[i] = `... (${argc - SLOWLOG_MAX_ARGC + 1} more arguments)`;
      break;
    }
    const len = src.len(i);
    const a = src.prefix(i, SLOWLOG_MAX_ARGLEN);
    out[i] = len > SLOWLOG_MAX_ARGLEN ? `${a.slice(0, SLOWLOG_MAX_ARGLEN)}... (${len - SLOWLOG_MAX_ARGLEN} more bytes)` : a;
  }
  return out;
}

/** A plain array of arguments as an ArgSource. */
export function argsOf(argv: readonly string[]): ArgSource {
  return { argc: argv.length, prefix: (i) => argv[i]!, len: (i) => argv[i]!.length };
}

/** A blocked command waiting to be served before it is logged. */
interface Deferred {
  readonly argv: string[];
  readonly usec: number;
}

export class SlowLog {
  /** Threshold in µs; Infinity when logging is disabled (a negative setting). */
  slowerThan: number;
  #maxLen: number;
  /** Oldest first; trimmed from the front. */
  #entries: SlowlogEntry[] = [];
  /** Matches Redis: ids keep growing across SLOWLOG RESET. */
  #nextId = 0;
  readonly #deferred = new Map<number, Deferred>();

  constructor(config: Config) {
    const threshold = (v: number) => (v < 0 ? Infinity : v);
    this.slowerThan = threshold(config.num("slowlog-log-slower-than"));
    this.#maxLen = config.num("slowlog-max-len");
    config.onChange("slowlog-log-slower-than", (v) => {
      this.slowerThan = threshold(Number(v));
      return null;
    });
    config.onChange("slowlog-max-len", (v) => {
      this.#maxLen = Number(v);
      return null;
    });
  }

  /** Record one command; argv as slowlogArgv() trimmed it. */
  push(argv: string[], usec: number, timeSec: number, addr: string, name: string): void {
    this.#entries.push({ id: this.#nextId++, time: timeSec, usec, argv, addr, name });
    // Matches Redis: the length limit is applied when an entry is added.
    const over = this.#entries.length - this.#maxLen;
    if (over > 0) this.#entries.splice(0, over);
  }

  /**
   * A command that blocked its client: matches Redis 7.0, which logs it only once it is served
   * (not when it times out or is unblocked), after the command that served it.
   */
  defer(clientId: number, argv: string[], usec: number): void {
    this.#deferred.set(clientId, { argv, usec });
  }

  /** The blocked command of this client was served: log it now. */
  served(c: { readonly id: number; readonly addr: string; readonly name: string } | undefined, nowMs: number): void {
    if (c === undefined) return;
    const d = this.#deferred.get(c.id);
    if (d === undefined) return;
    this.#deferred.delete(c.id);
    this.push(d.argv, d.usec, Math.floor(nowMs / 1000), c.addr, c.name);
  }

  /** The client went away (or blocks again): drop what it had waiting. */
  forget(clientId: number): void {
    if (this.#deferred.size !== 0) this.#deferred.delete(clientId);
  }

  get length(): number {
    return this.#entries.length;
  }

  /** Up to count entries (all when count < 0), newest first. */
  newest(count: number): SlowlogEntry[] {
    const n = count < 0 ? this.#entries.length : Math.min(count, this.#entries.length);
    const out: SlowlogEntry[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#entries[this.#entries.length - 1 - i]!;
    return out;
  }

  reset(): void {
    this.#entries = [];
  }
}
