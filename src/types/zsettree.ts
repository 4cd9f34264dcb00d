// The ordered index behind a sorted set: an order-statistic B+tree of (score, member) entries,
// sorted by score then member bytes, with O(log n) add, remove, rank, rank lookup and bound
// searches. Knows nothing of the member → score dictionary, encodings or range syntax
// (types/zset.ts); of the skiplist's byte table it knows each entry's record number (recs) and
// how to read a record's key bytes. A present entry is found by its member's bytes (a request's
// argument) and its record, so an update needs no member string.
//
// Why a B+tree and not Redis's skiplist: in JS every skiplist node is an object plus its level
// arrays, scattered over the heap, so each step of a search costs two or three cache misses, and
// a member costs ~200 bytes and three GC cells. Here entries sit in sorted runs of up to LEAF_MAX
// per leaf (a Float64Array of scores beside an array of members and an Int32Array of their
// records in the member table, when there is one); inner nodes hold separator keys
// and subtree counts (for ranks), so a search at 1M members touches four nodes. Chosen by
// measurement (bench/collections.ts, 1M members): ZRANK 13.6 → 3.1 µs, ZADD of a new member 13.5
// → 2.9 µs, ZRANGEBYSCORE 25 → 5.9 µs.

/** Entries per leaf and children per inner node (a node splits past these). */
const LEAF_MAX = 128;
const INNER_MAX = 32;
/** A node with fewer than this merges with a neighbour when the two fit in 3/4 of a node. */
const LEAF_MIN = LEAF_MAX >> 2;
const INNER_MIN = INNER_MAX >> 2;
/** A new tree's leaf starts this small and doubles up to LEAF_MAX (most sorted sets are small). */
const LEAF_FIRST = 4;
/** Deeper than any tree that fits in memory. */
const MAX_HEIGHT = 16;

/** A bound below every member (-1), above every member (1), or the given string (0). */
export type BoundKind = -1 | 0 | 1;

/** A sorted run of entries; leaves are chained in order for walks. */
export class Leaf {
  n = 0;
  scores: Float64Array;
  members: string[];
  /** Each entry's record in the member table (tree.table), or 0 (no table: a listpack). */
  recs: Int32Array;
  prev: Leaf | null = null;
  next: Leaf | null = null;

  constructor(cap: number) {
    this.scores = new Float64Array(cap);
    this.members = new Array<string>(cap).fill("");
    this.recs = new Int32Array(cap);
  }

  /** Make room for at least `need` entries (capacity doubles, up to LEAF_MAX). */
  grow(need: number): void {
    let cap = this.scores.length;
    if (cap >= need) return;
    while (cap < need) cap *= 2;
    if (cap > LEAF_MAX) cap = LEAF_MAX;
    const scores = new Float64Array(cap);
    scores.set(this.scores);
    const recs = new Int32Array(cap);
    recs.set(this.recs);
    const members = new Array<string>(cap).fill("");
    for (let j = 0; j < this.n; j++) members[j] = this.members[j]!;
    this.scores = scores;
    this.members = members;
    this.recs = recs;
  }
}

/**
 * Children with their entry counts. keys[i]/kmem[i] (i ≥ 1) separate child i from child i-1:
 * every entry of child i is ≥ it and every entry of child i-1 is below it. keys[0] is only a
 * valid bound for a node made by a split (it is what the split pushed up).
 */
class Inner {
  n = 0;
  readonly keys = new Float64Array(INNER_MAX + 1);
  readonly kmem: string[] = new Array<string>(INNER_MAX + 1).fill("");
  readonly counts = new Int32Array(INNER_MAX + 1);
  readonly kids: (Inner | Leaf | null)[] = new Array<Inner | Leaf | null>(INNER_MAX + 1).fill(null);
}

// The path of the last seekKey or seekPresent (single-threaded, never re-entered): the inner node at each height
// on the way down and which child was taken. removeFound/rescoreFound/add use it.
const pathNode: Inner[] = [];
const pathIdx = new Int32Array(MAX_HEIGHT + 1);

/** Stored (s, m) sorts before the key (score, member): by score, then by member bytes. */
export function lessKey(s: number, m: string, score: number, member: string): boolean {
  return s < score || (s === score && m < member);
}

/** Compare a stored member with the member spelled by b[s, e), byte by byte: < 0, 0 or > 0. */
export function cmpBytes(m: string, b: Uint8Array, s: number, e: number): number {
  const n = m.length;
  const len = e - s;
  const k = n < len ? n : len;
  for (let i = 0; i < k; i++) {
    const d = m.charCodeAt(i) - b[s + i]!;
    if (d !== 0) return d;
  }
  return n - len;
}

/** No key bytes: the search key's member is the string passed. */
const NO_BYTES = new Uint8Array(0);

/**
 * The member table's side the tree reads (keytable.ts's KeyTable): record r's key bytes are
 * u8[valueStart(r) - keyLength(r), valueStart(r)). Read at each use: the arena moves as it grows.
 */
export interface RecordKeys {
  readonly u8: Uint8Array;
  keyLength(r: number): number;
  valueStart(r: number): number;
}

/** Compare record r's key with the bytes b[s, e): < 0, 0 or > 0. */
function cmpRecord(t: RecordKeys, r: number, b: Uint8Array, s: number, e: number): number {
  const u8 = t.u8;
  const n = t.keyLength(r);
  const p = t.valueStart(r) - n;
  const len = e - s;
  const k = n < len ? n : len;
  for (let i = 0; i < k; i++) {
    const d = u8[p + i]! - b[s + i]!;
    if (d !== 0) return d;
  }
  return n - len;
}

/** A tie run this long is searched by member; a shorter one is scanned for the entry's record. */
const TIE_SCAN = 16;

/** Compare a member with a bound, as Redis's sdscmplex does. */
export function cmpBound(member: string, kind: BoundKind, bound: string): number {
  if (kind === -1) return 1;
  if (kind === 1) return -1;
  return member < bound ? -1 : member > bound ? 1 : 0;
}

export class ZTree {
  #root: Inner | Leaf;
  /** Inner levels above the leaves (0: the root is a leaf). */
  #height = 0;
  #head: Leaf;
  #tail: Leaf;
  /**
   * The position the last seek found: the leaf, the entry's index in it (leaf.n only past the
   * last entry) and its rank (entries before it).
   */
  leaf: Leaf;
  index = 0;
  rank = 0;
  /**
   * The member table whose records leaves name (recs), or null (a listpack: recs are 0). Ties on
   * score are then settled by record (the same one: no member read) or by the record's key bytes
   * (one cache line) rather than through the member string (two or three dependent loads).
   */
  table: RecordKeys | null = null;

  constructor() {
    const leaf = new Leaf(LEAF_FIRST);
    this.#root = leaf;
    this.#head = leaf;
    this.#tail = leaf;
    this.leaf = leaf;
  }

  /** The first leaf (empty only when the tree is). */
  get head(): Leaf {
    return this.#head;
  }

  /** The last leaf. */
  get tail(): Leaf {
    return this.#tail;
  }

  clone(): ZTree {
    const t = new ZTree();
    const leaves: Leaf[] = [];
    t.#root = copyNode(this.#root, this.#height, leaves);
    t.#height = this.#height;
    for (let i = 1; i < leaves.length; i++) {
      leaves[i - 1]!.next = leaves[i]!;
      leaves[i]!.prev = leaves[i - 1]!;
    }
    t.#head = leaves[0]!;
    t.#tail = leaves[leaves.length - 1]!;
    t.leaf = t.#head;
    return t;
  }

  // ---- searches: each leaves its answer in leaf/index/rank ----

  /**
   * Descend towards the key (score, member): the first entry ≥ it, and the path to its leaf.
   * A present key is found in its own leaf (index < leaf.n). withRank also sums the rank.
   */
  seekKey(score: number, member: string, withRank: boolean): void {
    const leaf = this.#descend(score, member, NO_BYTES, 0, -1, withRank);
    this.#searchLeaf(leaf, 0, score, member, NO_BYTES, 0, -1);
  }

  /**
   * seekKey for a key known to be present (updates, removals, ranks). When no other entry of the
   * leaf has its score, the entry is found by score alone: no member string is read, and in a
   * large set each one read is a cache miss or two. Given its record (rec, not 0), a short run of
   * ties is scanned for it, again without reading a member.
   */
  seekPresent(score: number, member: string, withRank: boolean, rec = 0): void {
    this.#seekPresent(score, member, NO_BYTES, 0, -1, rec, withRank);
  }

  /**
   * seekPresent for the member spelled by b[s, e) (a request's argument: no string made), whose
   * record in the table is rec (0 when there is no table).
   */
  seekPresentBytes(score: number, b: Uint8Array, s: number, e: number, rec: number, withRank: boolean): void {
    this.#seekPresent(score, "", b, s, e, rec, withRank);
  }

  /**
   * The search key's member is `member` when ke < 0, else the bytes kb[ks, ke): members are only
   * compared on equal scores, so the choice costs a branch there and nothing on the way down.
   */
  #seekPresent(score: number, member: string, kb: Uint8Array, ks: number, ke: number, rec: number, withRank: boolean): void {
    const leaf = this.#descend(score, member, kb, ks, ke, withRank);
    const sc = leaf.scores;
    const n = leaf.n;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sc[mid]! < score) lo = mid + 1;
      else hi = mid;
    }
    if (lo + 1 < n && sc[lo + 1] === score) {
      // A tie: the entry is in the run of its score from lo; a short run is scanned for its record.
      if (rec !== 0) {
        const recs = leaf.recs;
        const stop = lo + TIE_SCAN < n ? lo + TIE_SCAN : n;
        for (let j = lo; j < stop && sc[j] === score; j++) {
          if (recs[j] === rec) {
            this.leaf = leaf;
            this.index = j;
            this.rank += j;
            return;
          }
        }
      }
      return this.#searchLeaf(leaf, lo, score, member, kb, ks, ke);
    }
    this.leaf = leaf;
    this.index = lo;
    this.rank += lo;
  }

  /** The inner levels of seekKey: records the path, leaves the rank above the leaf in this.rank. */
  #descend(score: number, member: string, kb: Uint8Array, ks: number, ke: number, withRank: boolean): Leaf {
    let node = this.#root;
    let rank = 0;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const keys = inner.keys;
      const kmem = inner.kmem;
      // The last child whose separator is ≤ the key (child 0 when none is).
      let lo = 1;
      let hi = inner.n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const k = keys[mid]!;
        if (k < score || (k === score && (ke < 0 ? kmem[mid]! <= member : cmpBytes(kmem[mid]!, kb, ks, ke) <= 0))) lo = mid + 1;
        else hi = mid;
      }
      const c = lo - 1;
      if (withRank) {
        const counts = inner.counts;
        for (let j = 0; j < c; j++) rank += counts[j]!;
      }
      pathNode[h] = inner;
      pathIdx[h] = c;
      node = inner.kids[c] as Inner | Leaf;
    }
    this.rank = rank;
    return node as Leaf;
  }

  /** The first entry of leaf at or after `from` that is ≥ (score, member); this.rank grows by its index. */
  #searchLeaf(leaf: Leaf, from: number, score: number, member: string, kb: Uint8Array, ks: number, ke: number): void {
    const sc = leaf.scores;
    let lo = from;
    let hi = leaf.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = sc[mid]!;
      if (s < score || (s === score && this.#entryBelow(leaf, mid, member, kb, ks, ke))) lo = mid + 1;
      else hi = mid;
    }
    this.leaf = leaf;
    this.index = lo;
    this.rank += lo;
  }

  /**
   * Is entry i's member below the search key's (member, or kb[ks, ke) when ke ≥ 0)? Key bytes
   * are compared with the entry's record when there is a table (the record's line, not the
   * string's two or three).
   */
  #entryBelow(leaf: Leaf, i: number, member: string, kb: Uint8Array, ks: number, ke: number): boolean {
    if (ke < 0) return leaf.members[i]! < member;
    const t = this.table;
    const r = leaf.recs[i]!;
    return t !== null && r !== 0 ? cmpRecord(t, r, kb, ks, ke) < 0 : cmpBytes(leaf.members[i]!, kb, ks, ke) < 0;
  }

  /** The first entry whose score is above bound (after) or at least bound (!after). */
  seekScore(bound: number, after: boolean): void {
    let node = this.#root;
    let rank = 0;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const keys = inner.keys;
      let lo = 1;
      let hi = inner.n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const k = keys[mid]!;
        if (after ? k <= bound : k < bound) lo = mid + 1;
        else hi = mid;
      }
      const c = lo - 1;
      const counts = inner.counts;
      for (let j = 0; j < c; j++) rank += counts[j]!;
      node = inner.kids[c] as Inner | Leaf;
    }
    const leaf = node as Leaf;
    const sc = leaf.scores;
    let lo = 0;
    let hi = leaf.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = sc[mid]!;
      if (after ? s <= bound : s < bound) lo = mid + 1;
      else hi = mid;
    }
    this.settle(leaf, lo, rank + lo);
  }

  /**
   * The first entry whose member is above (after) or at least a bound, assuming members ascend
   * (true when every score is equal, which is what lex ranges are defined for).
   */
  seekMember(bound: string, kind: BoundKind, after: boolean): void {
    let node = this.#root;
    let rank = 0;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const kmem = inner.kmem;
      let lo = 1;
      let hi = inner.n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const c = cmpBound(kmem[mid]!, kind, bound);
        if (after ? c <= 0 : c < 0) lo = mid + 1;
        else hi = mid;
      }
      const c = lo - 1;
      const counts = inner.counts;
      for (let j = 0; j < c; j++) rank += counts[j]!;
      node = inner.kids[c] as Inner | Leaf;
    }
    const leaf = node as Leaf;
    const mem = leaf.members;
    let lo = 0;
    let hi = leaf.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = cmpBound(mem[mid]!, kind, bound);
      if (after ? c <= 0 : c < 0) lo = mid + 1;
      else hi = mid;
    }
    this.settle(leaf, lo, rank + lo);
  }

  /** The entry at a rank (0 ≤ rank < size). */
  seekRank(rank: number): void {
    let node = this.#root;
    let left = rank;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const counts = inner.counts;
      let c = 0;
      while (left >= counts[c]!) left -= counts[c++]!;
      node = inner.kids[c] as Inner | Leaf;
    }
    this.leaf = node as Leaf;
    this.index = left;
    this.rank = rank;
  }

  /** Set the position, moving from the end of a leaf to the start of the next one. */
  settle(leaf: Leaf, i: number, rank: number): void {
    if (i === leaf.n && leaf.next !== null) {
      leaf = leaf.next;
      i = 0;
    }
    this.leaf = leaf;
    this.index = i;
    this.rank = rank;
  }

  /** Move the position one entry back; false before the first. */
  stepBack(): boolean {
    if (this.index > 0) {
      this.index--;
    } else {
      const pv = this.leaf.prev;
      if (pv === null) return false;
      this.leaf = pv;
      this.index = pv.n - 1;
    }
    this.rank--;
    return true;
  }

  // ---- changes ----

  /** Add an absent entry. */
  add(score: number, member: string, rec = 0): void {
    this.#add(score, member, NO_BYTES, 0, -1, rec);
  }

  /** add() of a member whose bytes are b[s, e) (a request's argument), searching with those. */
  addBytes(score: number, member: string, b: Uint8Array, s: number, e: number, rec: number): void {
    this.#add(score, member, b, s, e, rec);
  }

  /** add(), searching with the key bytes kb[ks, ke) when ke ≥ 0 (they spell member). */
  #add(score: number, member: string, kb: Uint8Array, ks: number, ke: number, rec: number): void {
    this.#searchLeaf(this.#descend(score, member, kb, ks, ke, false), 0, score, member, kb, ks, ke);
    const leaf = this.leaf;
    const i = this.index;
    for (let h = this.#height; h > 0; h--) pathNode[h]!.counts[pathIdx[h]!]!++;
    const n = leaf.n;
    if (n === leaf.scores.length) {
      if (n >= LEAF_MAX) return this.#splitLeaf(leaf, i, score, member, rec);
      leaf.grow(n + 1);
    }
    putAt(leaf, i, score, member, rec);
  }

  /**
   * Remove the first entry (the last when `last`); the tree must not be empty. The path is the
   * leftmost (rightmost) descent, so pops need no key search. Like removeFound, it leaves no
   * usable position.
   */
  removeEnd(last: boolean): void {
    let node = this.#root;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const c = last ? inner.n - 1 : 0;
      pathNode[h] = inner;
      pathIdx[h] = c;
      node = inner.kids[c] as Inner | Leaf;
    }
    const leaf = node as Leaf;
    this.leaf = leaf;
    this.index = last ? leaf.n - 1 : 0;
    this.removeFound();
  }

  /** Remove the entry the last seekKey/seekPresent found (it must have been present). */
  removeFound(): void {
    const leaf = this.leaf;
    const i = this.index;
    for (let h = this.#height; h > 0; h--) pathNode[h]!.counts[pathIdx[h]!]!--;
    const n = leaf.n - 1;
    const sc = leaf.scores;
    const mem = leaf.members;
    sc.copyWithin(i, i + 1, n + 1);
    leaf.recs.copyWithin(i, i + 1, n + 1);
    for (let j = i; j < n; j++) mem[j] = mem[j + 1]!;
    mem[n] = "";
    leaf.n = n;
    if (n >= LEAF_MIN || this.#height === 0) return;
    this.#rebalance();
  }

  /**
   * Give the entry the last seekKey/seekPresent found (its score is cur) a new score: in place
   * when the order does not change and no separator above is crossed, else by removing and adding
   * it. The stored member string is kept: the caller needs none (a copy from each request would
   * also double the member's memory and age into the heap). Given the member's bytes kb[ks, ke)
   * (a request's argument, in cache), ties on score compare those with the neighbours' records
   * instead of reading the strings, which in a large set are likely cache misses.
   */
  rescoreFound(cur: number, score: number, kb: Uint8Array = NO_BYTES, ks = 0, ke = -1): void {
    const leaf = this.leaf;
    const i = this.index;
    const n = leaf.n;
    const sc = leaf.scores;
    const member = leaf.members[i]!;
    const rec = leaf.recs[i]!;
    // The first entry of a leaf may not go below its separator, nor the last reach the next one;
    // the first and last leaves have no such bound on their outer side.
    let lowOk: boolean;
    if (i > 0) {
      const s = sc[i - 1]!;
      lowOk = s < score || (s === score && this.#entryBelow(leaf, i - 1, member, kb, ks, ke));
    } else {
      lowOk = leaf.prev === null || score > cur;
    }
    let highOk: boolean;
    if (i < n - 1) {
      const s = sc[i + 1]!;
      // Members are distinct: "not below" is "above".
      highOk = score < s || (score === s && !this.#entryBelow(leaf, i + 1, member, kb, ks, ke));
    } else {
      highOk = leaf.next === null || score < cur;
    }
    if (lowOk && highOk) {
      sc[i] = score;
      return;
    }
    this.removeFound();
    this.#add(score, member, kb, ks, ke, rec);
  }

  /** Split a full leaf while adding (score, member) at i; the new right leaf goes to the parent. */
  #splitLeaf(left: Leaf, i: number, score: number, member: string, rec: number): void {
    const n = left.n;
    // Appending past the last leaf or prepending before the first (ordered loads, RDB loading)
    // leaves the old leaf full instead of half empty.
    const m = i === n && left.next === null ? n : i === 0 && left.prev === null ? 0 : n >> 1;
    const right = new Leaf(LEAF_MAX);
    const ls = left.scores;
    const lm = left.members;
    const rs = right.scores;
    const rm = right.members;
    right.recs.set(left.recs.subarray(m, n));
    for (let j = m; j < n; j++) {
      rs[j - m] = ls[j]!;
      rm[j - m] = lm[j]!;
      lm[j] = "";
    }
    left.n = m;
    right.n = n - m;
    right.prev = left;
    right.next = left.next;
    if (left.next !== null) left.next.prev = right;
    else this.#tail = right;
    left.next = right;
    const toLeft = m === 0 || (m !== n && i <= m);
    if (toLeft) putAt(left, i, score, member, rec);
    else putAt(right, i - m, score, member, rec);
    this.#addChild(1, left.n, right, right.n, rs[0]!, rm[0]!);
  }

  /**
   * The child taken at height h-1 on the last descent split: it keeps leftCount entries and
   * `right` (with rightCount) goes in after it, separated by (sepScore, sepMember).
   */
  #addChild(h: number, leftCount: number, right: Inner | Leaf, rightCount: number, sepScore: number, sepMember: string): void {
    if (h > this.#height) {
      const root = new Inner();
      root.kids[0] = this.#root;
      root.kids[1] = right;
      root.counts[0] = leftCount;
      root.counts[1] = rightCount;
      root.keys[1] = sepScore;
      root.kmem[1] = sepMember;
      root.n = 2;
      this.#root = root;
      this.#height = h;
      return;
    }
    const p = pathNode[h]!;
    const c = pathIdx[h]!;
    const n = p.n;
    const { keys, kmem, counts, kids } = p;
    for (let j = n; j > c + 1; j--) {
      keys[j] = keys[j - 1]!;
      kmem[j] = kmem[j - 1]!;
      counts[j] = counts[j - 1]!;
      kids[j] = kids[j - 1]!;
    }
    keys[c + 1] = sepScore;
    kmem[c + 1] = sepMember;
    counts[c + 1] = rightCount;
    kids[c + 1] = right;
    counts[c] = leftCount;
    p.n = n + 1;
    if (p.n <= INNER_MAX) return;
    // Overfull: move the upper half to a new node and add that to the parent.
    const total = p.n;
    const mid = total >> 1;
    const q = new Inner();
    let lc = 0;
    let rc = 0;
    for (let j = 0; j < mid; j++) lc += counts[j]!;
    for (let j = mid; j < total; j++) {
      q.keys[j - mid] = keys[j]!;
      q.kmem[j - mid] = kmem[j]!;
      q.counts[j - mid] = counts[j]!;
      q.kids[j - mid] = kids[j]!;
      rc += counts[j]!;
      kmem[j] = "";
      kids[j] = null;
    }
    p.n = mid;
    q.n = total - mid;
    this.#addChild(h + 1, lc, q, rc, q.keys[0]!, q.kmem[0]!);
  }

  /** After a removal: drop emptied nodes and merge small ones with a neighbour, bottom up. */
  #rebalance(): void {
    for (let h = 1; h <= this.#height; h++) {
      const p = pathNode[h]!;
      const c = pathIdx[h]!;
      const child = p.kids[c] as Inner | Leaf;
      const n = child.n;
      const isLeaf = h === 1;
      const fits = ((isLeaf ? LEAF_MAX : INNER_MAX) * 3) >> 2;
      if (n === 0) {
        if (isLeaf) this.#unlinkLeaf(child as Leaf);
        dropChild(p, c);
      } else if (n < (isLeaf ? LEAF_MIN : INNER_MIN)) {
        if (c + 1 < p.n && (p.kids[c + 1] as Inner | Leaf).n + n <= fits) this.#merge(p, c, isLeaf);
        else if (c > 0 && (p.kids[c - 1] as Inner | Leaf).n + n <= fits) this.#merge(p, c - 1, isLeaf);
        else break;
      } else {
        break;
      }
    }
    // A root left with one child hands over to it (one removal takes at most one child from the
    // root, so it never reaches zero: the last entries end up in a leaf root).
    let root = this.#root;
    while (this.#height > 0 && (root as Inner).n === 1) {
      root = (root as Inner).kids[0] as Inner | Leaf;
      this.#height--;
    }
    this.#root = root;
  }

  /** Merge child c+1 of p into child c. */
  #merge(p: Inner, c: number, isLeaf: boolean): void {
    if (isLeaf) {
      const l = p.kids[c] as Leaf;
      const r = p.kids[c + 1] as Leaf;
      const ln = l.n;
      const rn = r.n;
      l.grow(ln + rn);
      const ls = l.scores;
      const lm = l.members;
      l.recs.set(r.recs.subarray(0, rn), ln);
      for (let j = 0; j < rn; j++) {
        ls[ln + j] = r.scores[j]!;
        lm[ln + j] = r.members[j]!;
      }
      l.n = ln + rn;
      this.#unlinkLeaf(r);
      r.n = 0;
    } else {
      const l = p.kids[c] as Inner;
      const r = p.kids[c + 1] as Inner;
      const ln = l.n;
      const rn = r.n;
      for (let j = 0; j < rn; j++) {
        l.keys[ln + j] = r.keys[j]!;
        l.kmem[ln + j] = r.kmem[j]!;
        l.counts[ln + j] = r.counts[j]!;
        l.kids[ln + j] = r.kids[j]!;
      }
      // r's own first bound may be stale; the parent's separator is the one that holds.
      l.keys[ln] = p.keys[c + 1]!;
      l.kmem[ln] = p.kmem[c + 1]!;
      l.n = ln + rn;
      r.n = 0;
    }
    p.counts[c]! += p.counts[c + 1]!;
    dropChild(p, c + 1);
  }

  #unlinkLeaf(leaf: Leaf): void {
    const pv = leaf.prev;
    const nx = leaf.next;
    if (pv !== null) pv.next = nx;
    else if (nx !== null) this.#head = nx;
    if (nx !== null) nx.prev = pv;
    else if (pv !== null) this.#tail = pv;
  }

  /**
   * Check every structural invariant against the member → score dictionary (its lookup and its
   * size); throws on the first broken one. For tests.
   */
  checkStructure(scoreOf: (member: string) => number | undefined, size: number): void {
    const fail = (msg: string): never => {
      throw new Error(`zset tree: ${msg}`);
    };
    const leaves: Leaf[] = [];
    const walk = (node: Inner | Leaf, h: number, lo: [number, string] | null, hi: [number, string] | null): number => {
      if (h === 0) {
        const leaf = node as Leaf;
        leaves.push(leaf);
        for (let i = 0; i < leaf.n; i++) {
          const s = leaf.scores[i]!;
          const m = leaf.members[i]!;
          if (i > 0 && !lessKey(leaf.scores[i - 1]!, leaf.members[i - 1]!, s, m)) fail("leaf out of order");
          if (lo !== null && lessKey(s, m, lo[0], lo[1])) fail("entry below its separator");
          if (hi !== null && !lessKey(s, m, hi[0], hi[1])) fail("entry not below the next separator");
          if (!Object.is(scoreOf(m), s)) fail(`dictionary disagrees on ${m}`);
        }
        return leaf.n;
      }
      const inner = node as Inner;
      if (inner.n === 0) fail("empty inner node");
      let total = 0;
      for (let c = 0; c < inner.n; c++) {
        const clo: [number, string] | null = c === 0 ? lo : [inner.keys[c]!, inner.kmem[c]!];
        const chi: [number, string] | null = c + 1 < inner.n ? [inner.keys[c + 1]!, inner.kmem[c + 1]!] : hi;
        const got = walk(inner.kids[c] as Inner | Leaf, h - 1, clo, chi);
        if (got !== inner.counts[c]) fail(`count ${inner.counts[c]} for a subtree of ${got}`);
        total += got;
      }
      return total;
    };
    const total = walk(this.#root, this.#height, null, null);
    if (total !== size) fail(`tree holds ${total}, dictionary ${size}`);
    if (leaves[0] !== this.#head || leaves[leaves.length - 1] !== this.#tail) fail("head/tail");
    for (let i = 0; i < leaves.length; i++) {
      if (leaves[i]!.prev !== (leaves[i - 1] ?? null) || leaves[i]!.next !== (leaves[i + 1] ?? null)) fail("leaf chain");
      if (leaves.length > 1 && leaves[i]!.n === 0) fail("empty leaf");
    }
  }
}

/** Insert into a leaf with room. */
function putAt(leaf: Leaf, i: number, score: number, member: string, rec: number): void {
  const n = leaf.n;
  const sc = leaf.scores;
  const mem = leaf.members;
  const recs = leaf.recs;
  if (i < n) {
    sc.copyWithin(i + 1, i, n);
    recs.copyWithin(i + 1, i, n);
    for (let j = n; j > i; j--) mem[j] = mem[j - 1]!;
  }
  sc[i] = score;
  recs[i] = rec;
  mem[i] = member;
  leaf.n = n + 1;
}

/** Remove child c from an inner node. */
function dropChild(p: Inner, c: number): void {
  const n = p.n - 1;
  const { keys, kmem, counts, kids } = p;
  for (let j = c; j < n; j++) {
    keys[j] = keys[j + 1]!;
    kmem[j] = kmem[j + 1]!;
    counts[j] = counts[j + 1]!;
    kids[j] = kids[j + 1]!;
  }
  kmem[n] = "";
  kids[n] = null;
  p.n = n;
}

/** Deep copy of a subtree; its leaves are appended to `leaves` in order (not yet chained). */
function copyNode(node: Inner | Leaf, h: number, leaves: Leaf[]): Inner | Leaf {
  if (h === 0) {
    const src = node as Leaf;
    const leaf = new Leaf(src.scores.length);
    leaf.scores.set(src.scores);
    leaf.recs.set(src.recs);
    for (let i = 0; i < src.n; i++) leaf.members[i] = src.members[i]!;
    leaf.n = src.n;
    leaves.push(leaf);
    return leaf;
  }
  const src = node as Inner;
  const inner = new Inner();
  inner.keys.set(src.keys);
  inner.counts.set(src.counts);
  for (let i = 0; i < src.n; i++) {
    inner.kmem[i] = src.kmem[i]!;
    inner.kids[i] = copyNode(src.kids[i] as Inner | Leaf, h - 1, leaves);
  }
  inner.n = src.n;
  return inner;
}
