// The point-in-time walk behind BGSAVE and the AOF rewrite's base (Bun has no fork): it visits
// every key that existed when it started, in slices between event-loop turns, with no copy of the
// keyspace. Records never move; the key tables tell us (RecordGuard) before a record we have not
// reached yet changes or goes, and we hand its old contents to the sink first. Knows nothing of
// file formats: RDB (snapshot.ts) and RESP (aofbase.ts) sinks write what it yields.
import type { Db, WriteObserver } from "../keyspace/db.ts";
import type { KeyTable, RecordGuard } from "../types/keytable.ts";
import type { Value } from "../types/value.ts";

export interface PointInTimeSink {
  /** A db section begins (only dbs that had keys); size and expireSize as at the start. */
  open(ci: number, size: number, expireSize: number): void;
  /**
   * One key as it was at the start. ci is the db it was in then; `early` is set when it is
   * written ahead of the walk (about to change), possibly while another section is open.
   */
  entry(ci: number, live: Db, key: string, v: Value, when: number | bigint, early: boolean): void;
  /** True when enough output is buffered for this turn. */
  full(): boolean;
}

export class PointInTime implements RecordGuard, WriteObserver {
  readonly #dbs: readonly Db[];
  readonly #sink: PointInTimeSink;
  /** Per db at the start: its key table (null once walked, or if it was empty) and epoch. */
  readonly #tables: (KeyTable | null)[] = [];
  readonly #epochs: number[] = [];
  readonly #expires: Map<string, number>[] = [];
  readonly #sizes: number[] = [];
  readonly #expireSizes: number[] = [];
  /** Records of each table already handed out ahead of the walk. */
  readonly #early: Set<number>[] = [];
  /** Which start-time db's contents the live db with this id holds now (SWAPDB moves them). */
  readonly #route: number[] = [];
  /** The section being walked (-1 before the first) and the next record position in it. */
  #cur = -1;
  #pos = 0;
  #open = false;
  #done = false;
  /** Keys handed out so far, and in all (INFO current_save_keys_*). */
  processed = 0;
  readonly total: number;

  constructor(dbs: readonly Db[], sink: PointInTimeSink) {
    this.#dbs = dbs;
    this.#sink = sink;
    let total = 0;
    for (const db of dbs) {
      const t = db.dict;
      this.#tables.push(t.size === 0 ? null : t);
      this.#epochs.push(t.beginEpoch());
      if (t.size !== 0) t.guards.push(this);
      this.#expires.push(db.expires.size === 0 ? new Map() : new Map(db.expires));
      this.#sizes.push(t.size);
      this.#expireSizes.push(db.expires.size);
      this.#early.push(new Set());
      this.#route.push(db.id);
      total += t.size;
    }
    this.total = total;
    for (const db of dbs) db.observers.push(this);
  }

  get done(): boolean {
    return this.#done;
  }

  /** Stop observing (finished, or aborted). */
  detach(): void {
    for (let ci = 0; ci < this.#tables.length; ci++) this.#release(ci);
    for (const db of this.#dbs) {
      const i = db.observers.indexOf(this);
      if (i >= 0) db.observers.splice(i, 1);
    }
  }

  #release(ci: number): void {
    const t = this.#tables[ci];
    if (t === null || t === undefined) return;
    const i = t.guards.indexOf(this);
    if (i >= 0) t.guards.splice(i, 1);
    this.#tables[ci] = null;
    this.#early[ci]!.clear();
  }

  /** RecordGuard: record r of table is about to change; hand out its old self if still due. */
  beforeChange(table: KeyTable, r: number): void {
    const ci = this.#tables.indexOf(table);
    if (ci < 0) return;
    if (ci === this.#cur && this.#open && r < this.#pos) return;
    if (table.epochOf(r) > this.#epochs[ci]!) return;
    const early = this.#early[ci]!;
    if (early.has(r)) return;
    early.add(r);
    this.#emit(ci, table, r, true);
  }

  /** WriteObserver: the two dbs swap contents, so their start-time keys now live in the other. */
  beforeSwap(a: Db, b: Db): void {
    const t = this.#route[a.id]!;
    this.#route[a.id] = this.#route[b.id]!;
    this.#route[b.id] = t;
  }

  #emit(ci: number, table: KeyTable, r: number, early: boolean): void {
    const key = table.keyOf(r);
    const id = this.#route.indexOf(ci);
    const live = this.#dbs[id < 0 ? ci : id]!;
    let when: number | bigint = -1;
    const ex = this.#expires[ci]!;
    if (ex.size !== 0) {
      const e = ex.get(key);
      if (e !== undefined) {
        when = e;
        // Beyond 2^53 the live db keeps the exact int64; use it when the TTL is unchanged.
        if (!Number.isSafeInteger(e) && live.expires.get(key) === e) when = live.getExpireExact(key);
      }
    }
    this.#sink.entry(ci, live, key, table.value(r), when, early);
    this.processed++;
  }

  /**
   * Walk until the deadline (performance.now() ms) passes, the sink is full, or maxEntries were
   * handed out (tests use it to interleave finely). True when every key is out.
   */
  step(deadline: number, maxEntries = Infinity): boolean {
    const sink = this.#sink;
    let n = 0;
    while (!this.#done) {
      if (!this.#open) {
        const ci = this.#cur + 1;
        if (ci >= this.#tables.length) {
          this.#done = true;
          this.detach();
          break;
        }
        this.#cur = ci;
        if (this.#tables[ci] === null) continue;
        this.#open = true;
        this.#pos = 1;
        sink.open(ci, this.#sizes[ci]!, this.#expireSizes[ci]!);
      }
      const ci = this.#cur;
      const t = this.#tables[ci]!;
      const epoch = this.#epochs[ci]!;
      const early = this.#early[ci]!;
      for (;;) {
        const r = t.first(this.#pos, epoch);
        if (r === 0) {
          this.#open = false;
          this.#release(ci);
          break;
        }
        this.#pos = t.after(r);
        if (early.size !== 0 && early.delete(r)) continue;
        this.#emit(ci, t, r, false);
        if (++n >= maxEntries) return false;
        if ((n & 63) === 0 && (sink.full() || performance.now() >= deadline)) return false;
      }
      if (sink.full() || performance.now() >= deadline) return this.#done;
    }
    return true;
  }
}
