// The sorted set value: member → score (a Map while listpack-encoded, a byte table once
// skiplist-encoded) beside an ordered index of (score, member) (types/zsettree.ts) for ranks and
// range searches; range semantics (score and lex bounds, as Redis reads them) and the listpack →
// skiplist encoding switch, with the limits passed in by the caller (config lives above types/).
// Pure data: knows nothing of clients or replies.
import type { TypedValue } from "./value.ts";
import { KeyTable } from "./keytable.ts";
import { cmpBound, Leaf, ZTree } from "./zsettree.ts";
import { latin1 } from "../util/bytes.ts";

/** zset-max-listpack-entries and zset-max-listpack-value, as the command layer reads them. */
export interface ZSetLimits {
  readonly entries: number;
  readonly value: number;
}

/** A score interval; an exclusive end is "(" in the command syntax. */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minex: boolean;
  readonly maxex: boolean;
}

/** Which kind of lex bound: "-" (below every string), "+" (above every string) or a value. */
export const LEX_MIN = -1;
export const LEX_VALUE = 0;
export const LEX_MAX = 1;
export type LexKind = typeof LEX_MIN | typeof LEX_VALUE | typeof LEX_MAX;

/** A lex interval ("[a" inclusive, "(a" exclusive, "-" and "+" unbounded). */
export interface LexRange {
  readonly min: string;
  readonly max: string;
  readonly minKind: LexKind;
  readonly maxKind: LexKind;
  readonly minex: boolean;
  readonly maxex: boolean;
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

export function lexGteMin(member: string, r: LexRange): boolean {
  const c = cmpBound(member, r.minKind, r.min);
  return r.minex ? c > 0 : c >= 0;
}

export function lexLteMax(member: string, r: LexRange): boolean {
  const c = cmpBound(member, r.maxKind, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

/** True when the lex range can hold nothing whatever the set (min above max, or equal and open). */
export function lexRangeEmpty(r: LexRange): boolean {
  let c: number;
  if (r.minKind === r.maxKind && r.minKind !== LEX_VALUE) c = 0;
  else if (r.minKind === LEX_MIN || r.maxKind === LEX_MAX) c = -1;
  else if (r.minKind === LEX_MAX || r.maxKind === LEX_MIN) c = 1;
  else c = r.min < r.max ? -1 : r.min > r.max ? 1 : 0;
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

/** Shared result of ZNode.next (see there). */
const NEXT: [ZNode | null] = [null];

/**
 * A position in a sorted set: one member with its score, and a way to step to its neighbours.
 * Handed out by first/last/at/firstInScore…; member and score are what they were when it was made.
 * Stepping from a position whose set has changed since finds the member again (or, if it was
 * removed, the place it held), as walking a skiplist node would. Each step makes a new ZNode:
 * ZSet.each walks without allocating.
 */
export class ZNode {
  readonly member: string;
  readonly score: number;
  /** Where the member was (valid while leaf.members[index] is still this member); for ZSet only. */
  readonly leaf: Leaf;
  readonly index: number;
  readonly set: ZSet;

  constructor(set: ZSet, leaf: Leaf, index: number) {
    this.set = set;
    this.leaf = leaf;
    this.index = index;
    this.member = leaf.members[index]!;
    this.score = leaf.scores[index]!;
  }

  /** The next member in ascending order, or null after the last. */
  get forward(): ZNode | null {
    let leaf = this.leaf;
    let i = this.index;
    if (i >= leaf.n || leaf.members[i] !== this.member) {
      // The set changed under this position: find where the member is (or was).
      const t = this.set.locate(this);
      if (!t.present) return t.index < t.leaf.n ? new ZNode(this.set, t.leaf, t.index) : null;
      leaf = t.leaf;
      i = t.index;
    }
    if (++i < leaf.n) return new ZNode(this.set, leaf, i);
    const nx = leaf.next;
    return nx === null ? null : new ZNode(this.set, nx, 0);
  }

  /** The previous member in ascending order, or null before the first. */
  get backward(): ZNode | null {
    let leaf = this.leaf;
    let i = this.index;
    if (i >= leaf.n || leaf.members[i] !== this.member) {
      const t = this.set.locate(this);
      leaf = t.leaf;
      i = t.index;
    }
    if (--i >= 0) return new ZNode(this.set, leaf, i);
    const pv = leaf.prev;
    return pv === null ? null : new ZNode(this.set, pv, pv.n - 1);
  }

  /**
   * Skiplist-shaped view kept for callers written against the old node: `node.next[0]` is
   * `node.forward`. The array is shared: read [0] at once, never keep it.
   */
  get next(): readonly [ZNode | null] {
    NEXT[0] = this.forward;
    return NEXT;
  }
}

/** What ZSet.locate found: the tree position, and whether the member is still there. */
interface Located {
  readonly leaf: Leaf;
  readonly index: number;
  readonly present: boolean;
}

export class ZSet implements TypedValue {
  readonly type = "zset" as const;
  /** Member → score while listpack-encoded (few members); null once skiplist-encoded. */
  #small: Map<string, number> | null;
  /**
   * Member → score once skiplist-encoded: a byte table (keytable.ts) with each score inline as a
   * float64 (-0 and ±inf included; NaN is never stored), so a lookup hashes a request's bytes in
   * place and touches a slot and a record, with no JS object per member. Null while listpack.
   */
  #big: KeyTable | null;
  #tree = new ZTree();
  /** What the last scoreBytes found, for updateFound/insertFound: the member (listpack) or its record. */
  #foundMember = "";
  #foundRecord = 0;
  /** The score of the member the last pop() returned. */
  poppedScore = 0;

  constructor(listpack = true) {
    this.#small = listpack ? new Map<string, number>() : null;
    this.#big = listpack ? null : new KeyTable(false);
    this.#tree.table = this.#big;
  }

  get size(): number {
    return this.#small !== null ? this.#small.size : this.#big!.size;
  }

  encoding(): string {
    return this.#small !== null ? "listpack" : "skiplist";
  }

  get isListpack(): boolean {
    return this.#small !== null;
  }

  /** Switch to the skiplist encoding (one way): the members move to a byte table, in order. */
  convert(): void {
    if (this.#small === null) return;
    const big = new KeyTable(false);
    for (let leaf: Leaf | null = this.#tree.head; leaf !== null; leaf = leaf.next) {
      const mem = leaf.members;
      const sc = leaf.scores;
      const recs = leaf.recs;
      for (let i = 0; i < leaf.n; i++) recs[i] = big.insert(mem[i]!, sc[i]!, 0);
    }
    this.#big = big;
    this.#small = null;
    this.#tree.table = big;
  }

  /**
   * Redis's zsetConvertToListpackIfNeeded for a freshly built result (ZUNIONSTORE & co.): back to
   * listpack when it fits. A listpack keeps scores as text, where -0 reads back as 0.
   */
  shrinkIfFits(limits: ZSetLimits): void {
    if (this.#small !== null || this.size > limits.entries) return;
    const head = this.#tree.head;
    for (let leaf: Leaf | null = head; leaf !== null; leaf = leaf.next) {
      const mem = leaf.members;
      for (let i = 0; i < leaf.n; i++) if (mem[i]!.length > limits.value) return;
    }
    const small = new Map<string, number>();
    for (let leaf: Leaf | null = head; leaf !== null; leaf = leaf.next) {
      const sc = leaf.scores;
      for (let i = 0; i < leaf.n; i++) {
        if (Object.is(sc[i], -0)) sc[i] = 0;
        small.set(leaf.members[i]!, sc[i]!);
      }
      leaf.recs.fill(0);
    }
    this.#small = small;
    this.#big = null;
    this.#tree.table = null;
  }

  /** A deep copy (COPY, the STORE commands' sources are never shared). */
  clone(): ZSet {
    const z = new ZSet(true);
    const small = this.#small;
    if (small !== null) {
      for (const [m, s] of small) z.#small!.set(m, s);
    } else {
      z.#small = null;
      z.#big = this.#big!.clone();
    }
    // The copy's table has the same record numbers, so the copied tree's recs hold for it.
    z.#tree = this.#tree.clone();
    z.#tree.table = z.#big;
    return z;
  }

  score(member: string): number | undefined {
    const small = this.#small;
    if (small !== null) return small.get(member);
    const big = this.#big!;
    const r = big.find(member);
    return r === 0 ? undefined : (big.value(r) as number);
  }

  /**
   * score() of the member spelled by b[s, e) (a request's argument): a skiplist hashes the bytes
   * in place and makes no string. Remembers what it found for updateFound/insertFound.
   */
  scoreBytes(b: Uint8Array, s: number, e: number): number | undefined {
    const small = this.#small;
    if (small !== null) {
      const m = latin1(b, s, e);
      this.#foundMember = m;
      return small.get(m);
    }
    const big = this.#big!;
    const r = big.findBytes(b, s, e);
    this.#foundRecord = r;
    return r === 0 ? undefined : (big.value(r) as number);
  }

  /** Member → score pairs: a listpack's in insertion order, a skiplist's in record order (a live walk). */
  *entries(): IterableIterator<[string, number]> {
    const small = this.#small;
    if (small !== null) {
      yield* small;
      return;
    }
    const big = this.#big!;
    const gen = big.generation;
    // Records never move, so a member present for the whole walk is visited exactly once, however
    // the set changes between steps (ZSCAN's guarantee); the walk ends if the table is emptied.
    for (let r = big.first(); r !== 0; ) {
      yield [big.keyOf(r), big.value(r) as number];
      if (gen !== big.generation || this.#big !== big) return;
      r = big.next(r);
    }
  }

  /** First (lowest) member, or null when empty. */
  first(): ZNode | null {
    const h = this.#tree.head;
    return h.n === 0 ? null : new ZNode(this, h, 0);
  }

  /** Last (highest) member, or null when empty. */
  last(): ZNode | null {
    const t = this.#tree.tail;
    return t.n === 0 ? null : new ZNode(this, t, t.n - 1);
  }

  /**
   * Add a member that is not present. Like Redis's zsetAdd, a listpack converts first when the
   * new member is too long or one more entry would pass the limit. A listpack stores -0 as 0.
   */
  insert(member: string, score: number, limits: ZSetLimits): void {
    const small = this.#small;
    if (small !== null) {
      if (small.size + 1 > limits.entries || member.length > limits.value) {
        this.convert();
      } else {
        if (score === 0) score = 0;
        small.set(member, score);
        this.#tree.add(score, member);
        return;
      }
    }
    this.#tree.add(score, member, this.#big!.insert(member, score, 0));
  }

  /**
   * insert() of the member spelled by b[s, e), which the last scoreBytes looked up and did not
   * find. A skiplist stores the key bytes straight from the request; the tree takes a string.
   */
  insertFound(b: Uint8Array, s: number, e: number, score: number, limits: ZSetLimits): void {
    if (this.#small !== null) return this.insert(this.#foundMember, score, limits);
    const r = this.#big!.insertBytesValue(b, s, e, score, 0);
    this.#tree.addBytes(score, latin1(b, s, e), b, s, e, r);
  }

  /** Change an existing member's score (the caller passes the current one). */
  update(member: string, cur: number, score: number): void {
    const small = this.#small;
    let r = 0;
    if (small !== null) {
      if (score === 0) score = 0;
      small.set(member, score);
    } else {
      const big = this.#big!;
      r = big.find(member);
      big.setValue(r, score);
    }
    const t = this.#tree;
    t.seekPresent(cur, member, false, r);
    t.rescoreFound(cur, score);
  }

  /**
   * update() of the member spelled by b[s, e), which the last scoreBytes found with score cur:
   * a skiplist rewrites the score in its record and finds the tree entry by score, comparing the
   * bytes only against equal scores (no member string).
   */
  updateFound(cur: number, score: number, b: Uint8Array, s: number, e: number): void {
    if (this.#small !== null) return this.update(this.#foundMember, cur, score);
    const r = this.#foundRecord;
    this.#big!.setValue(r, score);
    const t = this.#tree;
    t.seekPresentBytes(cur, b, s, e, r, false);
    t.rescoreFound(cur, score, b, s, e);
  }

  /** Remove a member; false when absent. */
  remove(member: string): boolean {
    const small = this.#small;
    const t = this.#tree;
    if (small !== null) {
      const score = small.get(member);
      if (score === undefined) return false;
      small.delete(member);
      t.seekPresent(score, member, false);
      t.removeFound();
      return true;
    }
    const big = this.#big!;
    const r = big.find(member);
    if (r === 0) return false;
    // The tree first: its search may read other records (the table is emptied with the last one).
    t.seekPresent(big.value(r) as number, member, false, r);
    t.removeFound();
    big.remove(r);
    return true;
  }

  /** remove() of the member spelled by b[s, e) (no string once skiplist-encoded). */
  removeBytes(b: Uint8Array, s: number, e: number): boolean {
    if (this.#small !== null) return this.remove(latin1(b, s, e));
    const big = this.#big!;
    const r = big.findBytes(b, s, e);
    if (r === 0) return false;
    const t = this.#tree;
    t.seekPresentBytes(big.value(r) as number, b, s, e, r, false);
    t.removeFound();
    big.remove(r);
    return true;
  }

  /**
   * Remove the lowest member (the highest when max) and return it, or null when empty; its score
   * is then in poppedScore. ZPOPMIN's step: no ZNode and no tree search, the end is at hand.
   */
  pop(max: boolean): string | null {
    const t = this.#tree;
    const leaf = max ? t.tail : t.head;
    const n = leaf.n;
    if (n === 0) return null;
    const i = max ? n - 1 : 0;
    const member = leaf.members[i]!;
    this.poppedScore = leaf.scores[i]!;
    const r = leaf.recs[i]!;
    t.removeEnd(max);
    // A skiplist's entry names its record: no member hashing.
    if (this.#small !== null) this.#small.delete(member);
    else this.#big!.remove(r);
    return member;
  }

  /** 0-based rank in ascending order (descending when reverse), or -1 when absent. */
  rank(member: string, reverse = false): number {
    const small = this.#small;
    let score: number | undefined;
    let r = 0;
    if (small !== null) {
      score = small.get(member);
    } else {
      const big = this.#big!;
      r = big.find(member);
      score = r === 0 ? undefined : (big.value(r) as number);
    }
    if (score === undefined) return -1;
    const t = this.#tree;
    t.seekPresent(score, member, true, r);
    return reverse ? this.size - 1 - t.rank : t.rank;
  }

  /** rank() of the member spelled by b[s, e) (no string once skiplist-encoded). */
  rankBytes(b: Uint8Array, s: number, e: number, reverse = false): number {
    if (this.#small !== null) return this.rank(latin1(b, s, e), reverse);
    const score = this.scoreBytes(b, s, e);
    if (score === undefined) return -1;
    const t = this.#tree;
    t.seekPresentBytes(score, b, s, e, this.#foundRecord, true);
    return reverse ? this.size - 1 - t.rank : t.rank;
  }

  /** The member at a 0-based ascending rank, or null when out of range. */
  at(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.size) return null;
    const t = this.#tree;
    t.seekRank(rank);
    return new ZNode(this, t.leaf, t.index);
  }

  /**
   * Append `count` members (and their scores, when given an array) from the ascending rank
   * `from` upwards, or downwards when rev; stops early at either end. ZRANGE's walk.
   */
  rangeByRank(from: number, count: number, rev: boolean, out: string[], scores: number[] | null): void {
    if (from < 0 || from >= this.size || count <= 0) return;
    const t = this.#tree;
    t.seekRank(from);
    let leaf: Leaf | null = t.leaf;
    let i = t.index;
    while (leaf !== null) {
      const mem = leaf.members;
      const sc = leaf.scores;
      if (!rev) {
        const stop = Math.min(leaf.n, i + count);
        count -= stop - i;
        for (; i < stop; i++) {
          out.push(mem[i]!);
          scores?.push(sc[i]!);
        }
        if (count === 0) return;
        leaf = leaf.next;
        i = 0;
      } else {
        const stop = Math.max(-1, i - count);
        count -= i - stop;
        for (; i > stop; i--) {
          out.push(mem[i]!);
          scores?.push(sc[i]!);
        }
        if (count === 0) return;
        leaf = leaf.prev;
        i = leaf === null ? 0 : leaf.n - 1;
      }
    }
  }

  /**
   * Walk from `from` upwards (downwards when rev), first skipping `skip` entries, calling
   * visit(member, score) until it returns false or the set ends. Allocates nothing, unlike
   * stepping ZNodes; visit must not change the set. A `from` whose member has since been removed
   * starts at the entry after its place (before it, when rev).
   */
  each(from: ZNode, rev: boolean, skip: number, visit: (member: string, score: number) => boolean): void {
    let leaf: Leaf | null = from.leaf;
    let i = from.index;
    if (i >= leaf.n || leaf.members[i] !== from.member) {
      const present = this.locate(from).present;
      const t = this.#tree;
      if (!present && rev && !t.stepBack()) return;
      leaf = t.leaf;
      i = t.index;
      if (i >= leaf.n) return;
    }
    if (!rev) {
      while (skip > 0) {
        const avail = leaf.n - i;
        if (skip < avail) {
          i += skip;
          break;
        }
        skip -= avail;
        leaf = leaf.next;
        if (leaf === null) return;
        i = 0;
      }
      for (; leaf !== null; leaf = leaf.next, i = 0) {
        const mem = leaf.members;
        const sc = leaf.scores;
        for (const n = leaf.n; i < n; i++) if (!visit(mem[i]!, sc[i]!)) return;
      }
      return;
    }
    while (skip > 0) {
      if (skip <= i) {
        i -= skip;
        break;
      }
      skip -= i + 1;
      leaf = leaf.prev;
      if (leaf === null) return;
      i = leaf.n - 1;
    }
    for (; leaf !== null; leaf = leaf.prev, i = leaf === null ? 0 : leaf.n - 1) {
      const mem = leaf.members;
      const sc = leaf.scores;
      for (; i >= 0; i--) if (!visit(mem[i]!, sc[i]!)) return;
    }
  }

  /**
   * Where a position's member is now, or, when it was removed, the first entry after the place it
   * held (index === leaf.n only past the last). For ZNode.
   */
  locate(node: ZNode): Located {
    const cur = this.score(node.member);
    const t = this.#tree;
    t.seekKey(cur ?? node.score, node.member, false);
    t.settle(t.leaf, t.index, t.rank);
    return { leaf: t.leaf, index: t.index, present: cur !== undefined };
  }

  /** True when some member could lie in the score range (Redis's zslIsInRange). */
  #inScoreRange(r: ScoreRange): boolean {
    if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return false;
    const t = this.#tree.tail;
    if (t.n === 0 || !scoreGteMin(t.scores[t.n - 1]!, r)) return false;
    return scoreLteMax(this.#tree.head.scores[0]!, r);
  }

  /** Lowest member within the score range, or null. */
  firstInScore(r: ScoreRange): ZNode | null {
    if (!this.#inScoreRange(r)) return null;
    const t = this.#tree;
    t.seekScore(r.min, r.minex);
    return t.index < t.leaf.n && scoreLteMax(t.leaf.scores[t.index]!, r) ? new ZNode(this, t.leaf, t.index) : null;
  }

  /** Highest member within the score range, or null. */
  lastInScore(r: ScoreRange): ZNode | null {
    if (!this.#inScoreRange(r)) return null;
    const t = this.#tree;
    t.seekScore(r.max, !r.maxex);
    if (!t.stepBack()) return null;
    return scoreGteMin(t.leaf.scores[t.index]!, r) ? new ZNode(this, t.leaf, t.index) : null;
  }

  /** How many members lie in the score range. */
  countInScore(r: ScoreRange): number {
    if (!this.#inScoreRange(r)) return 0;
    const t = this.#tree;
    t.seekScore(r.min, r.minex);
    const from = t.rank;
    t.seekScore(r.max, !r.maxex);
    return t.rank > from ? t.rank - from : 0;
  }

  /** Redis's zslIsInLexRange / zzlIsInLexRange. */
  #inLexRange(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const t = this.#tree.tail;
    if (t.n === 0 || !lexGteMin(t.members[t.n - 1]!, r)) return false;
    return lexLteMax(this.#tree.head.members[0]!, r);
  }

  /**
   * Lowest member within the lex range, or null. Lex ranges assume equal scores; otherwise the
   * answer depends on the walk, so a listpack scans from the head as Redis's listpack code does.
   */
  firstInLex(r: LexRange): ZNode | null {
    if (!this.#inLexRange(r)) return null;
    const t = this.#tree;
    if (this.#small !== null) {
      if (!this.#scanLexFromHead(r)) return null;
    } else {
      t.seekMember(r.min, r.minKind, r.minex);
      if (t.index >= t.leaf.n) return null;
    }
    return lexLteMax(t.leaf.members[t.index]!, r) ? new ZNode(this, t.leaf, t.index) : null;
  }

  /** Highest member within the lex range, or null (a listpack scans from the tail). */
  lastInLex(r: LexRange): ZNode | null {
    if (!this.#inLexRange(r)) return null;
    const t = this.#tree;
    if (this.#small !== null) {
      for (let leaf: Leaf | null = t.tail; leaf !== null; leaf = leaf.prev) {
        for (let i = leaf.n - 1; i >= 0; i--) {
          const m = leaf.members[i]!;
          if (lexLteMax(m, r)) return lexGteMin(m, r) ? new ZNode(this, leaf, i) : null;
        }
      }
      return null;
    }
    t.seekMember(r.max, r.maxKind, !r.maxex);
    if (!t.stepBack()) return null;
    return lexGteMin(t.leaf.members[t.index]!, r) ? new ZNode(this, t.leaf, t.index) : null;
  }

  /** How many members lie in the lex range. */
  countInLex(r: LexRange): number {
    if (!this.#inLexRange(r)) return 0;
    const t = this.#tree;
    if (this.#small !== null) {
      if (!this.#scanLexFromHead(r)) return 0;
      let n = 0;
      this.each(new ZNode(this, t.leaf, t.index), false, 0, (m) => lexLteMax(m, r) && ++n > 0);
      return n;
    }
    t.seekMember(r.min, r.minKind, r.minex);
    const from = t.rank;
    t.seekMember(r.max, r.maxKind, !r.maxex);
    return t.rank > from ? t.rank - from : 0;
  }

  /** The listpack's lex search: the first entry from the head that is ≥ min, as the tree position. */
  #scanLexFromHead(r: LexRange): boolean {
    for (let leaf: Leaf | null = this.#tree.head; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.n; i++) {
        if (lexGteMin(leaf.members[i]!, r)) {
          this.#tree.settle(leaf, i, 0);
          return true;
        }
      }
    }
    return false;
  }

  /** Remove ascending ranks start..end (0-based, inclusive, already clamped); returns how many. */
  removeRankRange(start: number, end: number): number {
    const from = this.at(start);
    let left = end - start + 1;
    return from === null ? 0 : this.#removeRun(from, () => left-- > 0);
  }

  /** Remove every member in the score range; returns how many. */
  removeScoreRange(r: ScoreRange): number {
    const from = this.firstInScore(r);
    return from === null ? 0 : this.#removeRun(from, (_, s) => scoreLteMax(s, r));
  }

  /**
   * Remove every member in the lex range; returns how many. Like Redis, this removes the run that
   * starts at the first member in range and goes on while members are ≤ max (which differs from
   * "every member in range" only when scores differ).
   */
  removeLexRange(r: LexRange): number {
    const from = this.firstInLex(r);
    return from === null ? 0 : this.#removeRun(from, (m) => lexLteMax(m, r));
  }

  /** Remove the members from `from` upwards while take(member, score) holds. */
  #removeRun(from: ZNode, take: (member: string, score: number) => boolean): number {
    const gone: string[] = [];
    this.each(from, false, 0, (m, s) => take(m, s) && gone.push(m) > 0);
    for (const m of gone) this.remove(m);
    return gone.length;
  }

  /** Check the index against the member → score dictionary; throws on the first broken invariant. For tests. */
  checkStructure(): void {
    this.#tree.checkStructure((m) => this.score(m), this.size);
    const big = this.#big;
    if (big === null) return;
    let n = 0;
    for (let r = big.first(); r !== 0; r = big.next(r)) {
      const v = big.value(r);
      if (typeof v !== "number" || Number.isNaN(v)) throw new Error(`zset dictionary: ${big.keyOf(r)} holds ${String(v)}`);
      n++;
    }
    if (n !== big.size) throw new Error(`zset dictionary: walk saw ${n} of ${big.size}`);
    for (let leaf: Leaf | null = this.#tree.head; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.n; i++) {
        const m = leaf.members[i]!;
        if (big.keyOf(leaf.recs[i]!) !== m) throw new Error(`zset tree: the entry of ${m} names record ${leaf.recs[i]}`);
      }
    }
  }
}
