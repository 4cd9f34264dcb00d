// The sorted set value: member → score in a Map, plus a skiplist with span counts ordered by
// (score, member bytes) for O(log n) rank, rank lookup and range search; the listpack → skiplist
// encoding switch with the limits passed in by the caller (config lives above types/). Pure data.
import type { TypedValue } from "./value.ts";

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

const MAX_LEVEL = 32;

/** One skiplist node. Fields are read by the command layer to walk ranges; only ZSet writes them. */
export class ZNode {
  member: string;
  score: number;
  backward: ZNode | null = null;
  readonly next: (ZNode | null)[];
  /** span[i]: how many level-0 steps next[i] jumps. */
  readonly span: number[];

  constructor(member: string, score: number, level: number) {
    this.member = member;
    this.score = score;
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

/** The node after x at level i (null at the end). */
function fwd(x: ZNode, i: number): ZNode | null {
  return x.next[i] as ZNode | null;
}

/** Scratch vectors for insert/delete (single-threaded and never re-entered). */
const update: ZNode[] = new Array<ZNode>(MAX_LEVEL);
const rankAt: number[] = new Array<number>(MAX_LEVEL).fill(0);

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < 0.25) level++;
  return level;
}

/** (score, member) order: by score, then by member bytes (latin1 code units compare as bytes). */
function before(n: ZNode, score: number, member: string): boolean {
  return n.score < score || (n.score === score && n.member < member);
}

/** Compare a stored member against a lex bound, as Redis's sdscmplex does. */
function cmpLex(member: string, kind: LexKind, bound: string): number {
  if (kind === LEX_MIN) return 1;
  if (kind === LEX_MAX) return -1;
  return member < bound ? -1 : member > bound ? 1 : 0;
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

export function lexGteMin(member: string, r: LexRange): boolean {
  const c = cmpLex(member, r.minKind, r.min);
  return r.minex ? c > 0 : c >= 0;
}

export function lexLteMax(member: string, r: LexRange): boolean {
  const c = cmpLex(member, r.maxKind, r.max);
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

export class ZSet implements TypedValue {
  readonly type = "zset" as const;
  /** Member → score. */
  readonly dict = new Map<string, number>();
  readonly #header = new ZNode("", -Infinity, MAX_LEVEL);
  #tail: ZNode | null = null;
  #level = 1;
  /** Redis converts to a skiplist past the limits and never back. */
  #listpack: boolean;

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
    for (let x = this.first(); x !== null; x = fwd(x, 0)) {
      if (Object.is(x.score, -0)) {
        x.score = 0;
        this.dict.set(x.member, 0);
      }
    }
  }

  clone(): ZSet {
    const z = new ZSet(this.#listpack);
    for (let x = this.first(); x !== null; x = fwd(x, 0)) {
      z.dict.set(x.member, x.score);
      z.#insertNode(x.member, x.score);
    }
    return z;
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** First node (lowest), or null when empty. */
  first(): ZNode | null {
    return fwd(this.#header, 0);
  }

  /** Last node (highest), or null when empty. */
  last(): ZNode | null {
    return this.#tail;
  }

  /**
   * Add a member that is not present. Like Redis's zsetAdd, a listpack converts first when the
   * new member is too long or one more entry would pass the limit. A listpack stores -0 as 0.
   */
  insert(member: string, score: number, limits: ZSetLimits): void {
    if (this.#listpack && (this.dict.size + 1 > limits.entries || member.length > limits.value)) this.#listpack = false;
    if (this.#listpack && score === 0) score = 0;
    this.dict.set(member, score);
    this.#insertNode(member, score);
  }

  /** Change an existing member's score (the caller passes the current one). */
  update(member: string, cur: number, score: number): void {
    if (this.#listpack && score === 0) score = 0;
    this.dict.set(member, score);
    // Find the node and its predecessors; keep it in place when the order does not change.
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = fwd(x, i);
      while (n !== null && before(n, cur, member)) {
        x = n;
        n = fwd(x, i);
      }
      update[i] = x;
    }
    const node = fwd(x, 0) as ZNode;
    const prev = node.backward;
    const next = fwd(node, 0);
    if ((prev === null || prev.score < score) && (next === null || next.score > score)) {
      node.score = score;
      return;
    }
    this.#unlink(node);
    this.#insertNode(member, score);
  }

  /** Remove a member; false when absent. */
  remove(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    this.#deleteNode(score, member);
    return true;
  }

  /** 0-based rank in ascending order (descending when reverse), or -1 when absent. */
  rank(member: string, reverse = false): number {
    const score = this.dict.get(member);
    if (score === undefined) return -1;
    let r = 0;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = fwd(x, i);
      while (n !== null && (n.score < score || (n.score === score && n.member <= member))) {
        r += x.span[i]!;
        x = n;
        n = fwd(x, i);
      }
      if (x !== this.#header && x.member === member) return reverse ? this.size - r : r - 1;
    }
    return -1;
  }

  /** The node at a 0-based ascending rank, or null when out of range. */
  at(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.size) return null;
    const target = rank + 1;
    let traversed = 0;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = fwd(x, i);
      while (n !== null && traversed + x.span[i]! <= target) {
        traversed += x.span[i]!;
        x = n;
        n = fwd(x, i);
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** True when some member could lie in the score range (Redis's zslIsInRange). */
  #inScoreRange(r: ScoreRange): boolean {
    if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return false;
    const t = this.#tail;
    if (t === null || !scoreGteMin(t.score, r)) return false;
    return scoreLteMax(this.first()!.score, r);
  }

  /** Lowest node within the score range, or null. */
  firstInScore(r: ScoreRange): ZNode | null {
    if (!this.#inScoreRange(r)) return null;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = fwd(x, i);
      while (n !== null && !scoreGteMin(n.score, r)) {
        x = n;
        n = fwd(x, i);
      }
    }
    const n = fwd(x, 0) as ZNode; // non-null: the tail is >= min
    return scoreLteMax(n.score, r) ? n : null;
  }

  /** Highest node within the score range, or null. */
  lastInScore(r: ScoreRange): ZNode | null {
    if (!this.#inScoreRange(r)) return null;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = fwd(x, i);
      while (n !== null && scoreLteMax(n.score, r)) {
        x = n;
        n = fwd(x, i);
      }
    }
    return x !== this.#header && scoreGteMin(x.score, r) ? x : null;
  }

  /** How many members lie in the score range. */
  countInScore(r: ScoreRange): number {
    const f = this.firstInScore(r);
    if (f === null) return 0;
    const l = this.lastInScore(r)!;
    return this.rank(l.member) - this.rank(f.member) + 1;
  }

  /** Redis's zslIsInLexRange / zzlIsInLexRange. */
  #inLexRange(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const t = this.#tail;
    if (t === null || !lexGteMin(t.member, r)) return false;
    return lexLteMax(this.first()!.member, r);
  }

  /**
   * Lowest node within the lex range, or null. Lex ranges assume equal scores; otherwise the
   * answer depends on the walk, so a listpack scans from the head as Redis's listpack code does.
   */
  firstInLex(r: LexRange): ZNode | null {
    if (!this.#inLexRange(r)) return null;
    let n: ZNode | null;
    if (this.#listpack) {
      n = this.first();
      while (n !== null && !lexGteMin(n.member, r)) n = fwd(n, 0);
      if (n === null) return null;
    } else {
      let x = this.#header;
      for (let i = this.#level - 1; i >= 0; i--) {
        let m = fwd(x, i);
        while (m !== null && !lexGteMin(m.member, r)) {
          x = m;
          m = fwd(x, i);
        }
      }
      n = fwd(x, 0) as ZNode; // non-null: the tail is >= min
    }
    return lexLteMax(n.member, r) ? n : null;
  }

  /** Highest node within the lex range, or null (a listpack scans from the tail). */
  lastInLex(r: LexRange): ZNode | null {
    if (!this.#inLexRange(r)) return null;
    if (this.#listpack) {
      let n = this.#tail;
      while (n !== null && !lexLteMax(n.member, r)) n = n.backward;
      return n !== null && lexGteMin(n.member, r) ? n : null;
    }
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let m = fwd(x, i);
      while (m !== null && lexLteMax(m.member, r)) {
        x = m;
        m = fwd(x, i);
      }
    }
    return x !== this.#header && lexGteMin(x.member, r) ? x : null;
  }

  /** How many members lie in the lex range. */
  countInLex(r: LexRange): number {
    const f = this.firstInLex(r);
    if (f === null) return 0;
    if (this.#listpack) {
      let n = 0;
      for (let x: ZNode | null = f; x !== null && lexLteMax(x.member, r); x = fwd(x, 0)) n++;
      return n;
    }
    const l = this.lastInLex(r);
    return l === null ? 0 : this.rank(l.member) - this.rank(f.member) + 1;
  }

  /** Remove ascending ranks start..end (0-based, inclusive, already clamped); returns how many. */
  removeRankRange(start: number, end: number): number {
    let x = this.at(start);
    let n = 0;
    while (x !== null && n <= end - start) {
      const next = fwd(x, 0);
      this.remove(x.member);
      n++;
      x = next;
    }
    return n;
  }

  /** Remove every member in the score range; returns how many. */
  removeScoreRange(r: ScoreRange): number {
    let x = this.firstInScore(r);
    let n = 0;
    while (x !== null && scoreLteMax(x.score, r)) {
      const next = fwd(x, 0);
      this.remove(x.member);
      n++;
      x = next;
    }
    return n;
  }

  /** Remove every member in the lex range; returns how many. */
  removeLexRange(r: LexRange): number {
    let x = this.firstInLex(r);
    let n = 0;
    while (x !== null && lexLteMax(x.member, r)) {
      const next = fwd(x, 0);
      this.remove(x.member);
      n++;
      x = next;
    }
    return n;
  }

  // ---- skiplist internals ----

  #insertNode(member: string, score: number): void {
    const header = this.#header;
    let x = header;
    for (let i = this.#level - 1; i >= 0; i--) {
      rankAt[i] = i === this.#level - 1 ? 0 : rankAt[i + 1]!;
      let n = fwd(x, i);
      while (n !== null && before(n, score, member)) {
        rankAt[i]! += x.span[i]!;
        x = n;
        n = fwd(x, i);
      }
      update[i] = x;
    }
    const level = randomLevel();
    const length = this.dict.size - 1; // the dict already holds the new member
    if (level > this.#level) {
      for (let i = this.#level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = header;
        header.span[i] = length;
      }
      this.#level = level;
    }
    const node = new ZNode(member, score, level);
    const r0 = rankAt[0]!;
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.next[i] = fwd(u, i);
      u.next[i] = node;
      node.span[i] = u.span[i]! - (r0 - rankAt[i]!);
      u.span[i] = r0 - rankAt[i]! + 1;
    }
    for (let i = level; i < this.#level; i++) update[i]!.span[i]!++;
    node.backward = update[0] === header ? null : update[0]!;
    const after = fwd(node, 0);
    if (after !== null) after.backward = node;
    else this.#tail = node;
  }

  #deleteNode(score: number, member: string): void {
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = fwd(x, i);
      while (n !== null && before(n, score, member)) {
        x = n;
        n = fwd(x, i);
      }
      update[i] = x;
    }
    const node = fwd(x, 0);
    if (node !== null && node.member === member) this.#unlink(node);
  }

  /** Unlink node using the predecessors left in `update` by the last search. */
  #unlink(node: ZNode): void {
    for (let i = 0; i < this.#level; i++) {
      const u = update[i]!;
      if (u.next[i] === node) {
        u.span[i]! += node.span[i]! - 1;
        u.next[i] = fwd(node, i);
      } else {
        u.span[i]!--;
      }
    }
    const after = fwd(node, 0);
    if (after !== null) after.backward = node.backward;
    else this.#tail = node.backward;
    const header = this.#header;
    while (this.#level > 1 && header.next[this.#level - 1] === null) this.#level--;
  }
}
