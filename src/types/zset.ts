// The sorted set value: member → score in a Map beside an ordered index of (score, member)
// (types/zsettree.ts) for ranks and range searches; range semantics (score and lex bounds, as
// Redis reads them) and the listpack → skiplist encoding switch, with the limits passed in by the
// caller (config lives above types/). Pure data: knows nothing of clients or replies.
import type { TypedValue } from "./value.ts";
import { cmpBound, Leaf, ZTree } from "./zsettree.ts";

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
  /** Member → score. */
  readonly dict = new Map<string, number>();
  #tree = new ZTree();
  /** Redis converts to a skiplist past the limits and never back. */
  #listpack: boolean;
  /** The score of the member the last pop() returned. */
  poppedScore = 0;

  constructor(listpack = true) {
    this.#listpack = listpack;
  }

  get size(): number {
    return this.dict.size;
  }

  encoding(): string {
    return this.#listpack ? "listpack" : "skiplist";
  }

  get isListpack(): boolean {
    return this.#listpack;
  }

  /** Switch to the skiplist encoding (one way). */
  convert(): void {
    this.#listpack = false;
  }

  /**
   * Redis's zsetConvertToListpackIfNeeded for a freshly built result (ZUNIONSTORE & co.): back to
   * listpack when it fits. A listpack keeps scores as text, where -0 reads back as 0.
   */
  shrinkIfFits(limits: ZSetLimits): void {
    if (this.#listpack || this.size > limits.entries) return;
    for (const m of this.dict.keys()) if (m.length > limits.value) return;
    this.#listpack = true;
    for (let leaf: Leaf | null = this.#tree.head; leaf !== null; leaf = leaf.next) {
      const sc = leaf.scores;
      for (let i = 0; i < leaf.n; i++) {
        if (Object.is(sc[i], -0)) {
          sc[i] = 0;
          this.dict.set(leaf.members[i]!, 0);
        }
      }
    }
  }

  clone(): ZSet {
    const z = new ZSet(this.#listpack);
    for (const [m, s] of this.dict) z.dict.set(m, s);
    z.#tree = this.#tree.clone();
    return z;
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
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
    if (this.#listpack && (this.dict.size + 1 > limits.entries || member.length > limits.value)) this.#listpack = false;
    if (this.#listpack && score === 0) score = 0;
    this.dict.set(member, score);
    this.#tree.add(score, member);
  }

  /** Change an existing member's score (the caller passes the current one). */
  update(member: string, cur: number, score: number): void {
    if (this.#listpack && score === 0) score = 0;
    this.dict.set(member, score);
    const t = this.#tree;
    t.seekPresent(cur, member, false);
    t.rescoreFound(cur, score, member);
  }

  /** Remove a member; false when absent. */
  remove(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    const t = this.#tree;
    t.seekPresent(score, member, false);
    t.removeFound();
    return true;
  }

  /**
   * Remove the lowest member (the highest when max) and return it, or null when empty; its score
   * is then in poppedScore. ZPOPMIN's step: no ZNode and no key search, the end is at hand.
   */
  pop(max: boolean): string | null {
    const t = this.#tree;
    const leaf = max ? t.tail : t.head;
    const n = leaf.n;
    if (n === 0) return null;
    const i = max ? n - 1 : 0;
    const member = leaf.members[i]!;
    this.poppedScore = leaf.scores[i]!;
    this.dict.delete(member);
    t.removeEnd(max);
    return member;
  }

  /** 0-based rank in ascending order (descending when reverse), or -1 when absent. */
  rank(member: string, reverse = false): number {
    const score = this.dict.get(member);
    if (score === undefined) return -1;
    const t = this.#tree;
    t.seekPresent(score, member, true);
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
    const cur = this.dict.get(node.member);
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
    if (this.#listpack) {
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
    if (this.#listpack) {
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
    if (this.#listpack) {
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

  /** Check the index against the map; throws on the first broken invariant. For tests. */
  checkStructure(): void {
    this.#tree.checkStructure(this.dict);
  }
}
