// Sorted set commands on one key: ZADD/ZINCRBY, ZREM, ZCARD, ZSCORE/ZMSCORE, ZRANK/ZREVRANK,
// ZRANDMEMBER and ZSCAN. Ranges are zsetrange.ts, pops zsetpop.ts, union/inter/diff zsetalgebra.ts,
// shared lookups and write bookkeeping zsetaccess.ts. The value itself is types/zset.ts: this file
// parses arguments as Redis does, replies and marks writes dirty, and does not reach into it.
import { E, wrongArity } from "../errors.ts";
import { NOTIFY_ZSET } from "../notifications.ts";
import { ZSet, type ZNode, type ZSetLimits } from "../types/zset.ts";
import { formatG17 } from "../util/format.ts";
import { INT64_MAX, string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import { parseScanOptions, replyScan, scanCursorArg, scanMatches, scanStep } from "./scanargs.ts";
import type { CommandSpec } from "./spec.ts";
import { deleteIfEmpty, limits, replyMembers, replyScore, scoreArg, touched, zsetArgForWrite, zsetForRead, zsetForWrite } from "./zsetaccess.ts";
import { collectRank } from "./zsetrange.ts";

const XX_NX = "ERR XX and NX options at the same time are not compatible";
const GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
const INCR_PAIRS = "ERR INCR option supports a single increment-element pair";
const NAN_SCORE = "ERR resulting score is not a number (NaN)";
const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const VALUE_RANGE = "ERR value is out of range";
const HALF_LONG = 4611686018427387903n;

// ---- ZADD / ZINCRBY ----

/** ZADD's parsed scores, reused across calls (grown for long calls) so a ZADD allocates nothing. */
let scoreBuf = new Float64Array(16);
/** What a skiplist-encoded set is given as limits: it never converts back, so insert ignores them. */
const SKIPLIST_LIMITS: ZSetLimits = { entries: 0, value: 0 };

function zadd(c: Context, incrCommand: boolean): void {
  const a = c.args;
  const argc = a.argc;
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let i = 2;
  if (!incrCommand) {
    for (; i < argc; i++) {
      if (a.is(i, "nx")) nx = true;
      else if (a.is(i, "xx")) xx = true;
      else if (a.is(i, "gt")) gt = true;
      else if (a.is(i, "lt")) lt = true;
      else if (a.is(i, "ch")) ch = true;
      else if (a.is(i, "incr")) incr = true;
      else break;
    }
  }
  const elements = argc - i;
  if (elements % 2 !== 0 || elements === 0) return c.error(E.syntax);
  if (nx && xx) return c.error(XX_NX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return c.error(GT_LT_NX);
  const pairs = elements / 2;
  if (incr && pairs > 1) return c.error(INCR_PAIRS);
  // Matches Redis: every score is parsed before anything is written.
  if (pairs > scoreBuf.length) scoreBuf = new Float64Array(pairs);
  const scores = scoreBuf;
  for (let j = 0; j < pairs; j++) {
    const s = scoreArg(a, i + 2 * j);
    if (Number.isNaN(s)) return c.error(E.notFloat);
    scores[j] = s;
  }
  let z = zsetArgForWrite(c, 1);
  if (z === undefined) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let last = 0;
  let nan = false;
  // The encoding limits are config lookups: read only when a listpack (or a new set) takes a member.
  let lim: ZSetLimits | null = null;
  if (z === null) {
    if (xx) return incr ? c.reply.nil() : c.reply.int(0);
    lim = limits(c);
    // Matches Redis: the new set starts as a skiplist when its first member could not fit a listpack.
    z = new ZSet(!(lim.entries === 0 || lim.value < a.len(i + 1)));
    c.db.setKeyBytes(a.buf, a.base + a.starts[1]!, a.base + a.ends[1]!, z);
  }
  // Members are looked up by their request bytes: a skiplist-encoded set makes a member string
  // only for a new member (its tree entry needs one).
  const buf = a.buf;
  const base = a.base;
  for (let j = 0; j < pairs; j++) {
    const ms = base + a.starts[i + 2 * j + 1]!;
    const me = base + a.ends[i + 2 * j + 1]!;
    let score = scores[j]!;
    const cur = z.scoreBytes(buf, ms, me);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          nan = true;
          break;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      if (score !== cur) {
        z.updateFound(cur, score, buf, ms, me);
        updated++;
      }
    } else if (!xx) {
      z.insertFound(buf, ms, me, score, z.isListpack ? (lim ??= limits(c)) : SKIPLIST_LIMITS);
      added++;
    } else {
      continue;
    }
    processed++;
    last = score;
  }
  if (added + updated > 0) {
    c.dirty(added + updated);
    // No key string unless a client blocks on some key, or WATCH/notifications need it.
    if (c.server.blocking.keyCount !== 0) c.server.blocking.signal(c.db.id, a.str(1));
    c.keyChanged(1, NOTIFY_ZSET, incr ? "zincr" : "zadd");
  }
  if (nan) return c.error(NAN_SCORE);
  if (incr) {
    if (processed > 0) replyScore(c.reply, last);
    else c.reply.nil();
  } else {
    c.reply.int(ch ? added + updated : added);
  }
}

// ---- ZRANDMEMBER ----

function randomNode(z: ZSet): ZNode {
  return z.at(Math.floor(Math.random() * z.size))!;
}

function zrandmember(c: Context): void {
  const a = c.args;
  const argc = a.argc;
  if (argc < 3) {
    const z = zsetForRead(c, a.str(1));
    if (z === undefined) return;
    if (z === null) return c.reply.nil();
    return c.reply.bulk(randomNode(z).member);
  }
  const l = string2ll(a.str(2));
  if (l === null) return c.error(E.notInteger);
  if (l < -INT64_MAX) return c.error(COUNT_RANGE);
  if (argc > 4 || (argc === 4 && !a.is(3, "withscores"))) return c.error(E.syntax);
  const withScores = argc === 4;
  if (withScores && (l < -HALF_LONG || l > HALF_LONG)) return c.error(VALUE_RANGE);
  const z = zsetForRead(c, a.str(1));
  if (z === undefined) return;
  if (z === null || l === 0 || l === 0n) return c.reply.array(0);
  const r = c.reply;
  const pairs = withScores && r.proto === 3;
  const size = z.size;
  if (l < 0 || l === 1 || l === 1n) {
    // Repeats allowed (or a single pick): independent draws, written as they are drawn.
    const count = l < 0 ? Number(-BigInt(l)) : 1;
    r.array(withScores && !pairs ? count * 2 : count);
    for (let i = 0; i < count; i++) {
      const n = randomNode(z);
      if (pairs) r.array(2);
      r.bulk(n.member);
      if (withScores) replyScore(r, n.score);
    }
    return;
  }
  const count = Number(l);
  const members: string[] = [];
  const scores: number[] | null = withScores ? [] : null;
  if (count >= size) {
    // Matches Redis 7.0: asking for the whole set returns it from the highest score down.
    collectRank(z, 0, -1, true, members, scores);
  } else if (z.isListpack) {
    // Matches Redis: a listpack yields its sample in listpack (ascending) order.
    let left = size;
    let need = count;
    z.each(z.first()!, false, 0, (m, sc) => {
      if (Math.random() * left < need) {
        members.push(m);
        scores?.push(sc);
        need--;
      }
      left--;
      return need > 0;
    });
  } else {
    const picked = new Set<number>();
    if (count * 3 > size) {
      const ranks = Array.from({ length: size }, (_, i) => i);
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (size - i));
        [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
        picked.add(ranks[i]!);
      }
    } else {
      while (picked.size < count) picked.add(Math.floor(Math.random() * size));
    }
    for (const rank of picked) {
      const n = z.at(rank)!;
      members.push(n.member);
      scores?.push(n.score);
    }
  }
  replyMembers(c, members, scores);
}

// ---- ZSCAN ----

function zscan(c: Context): void {
  const cursor = scanCursorArg(c);
  if (cursor === null) return;
  const z = zsetForRead(c, c.args.str(1));
  if (z === undefined) return;
  if (z === null) return replyScan(c, 0, []);
  const o = parseScanOptions(c);
  if (o === null) return;
  // Scores are sent as text (bulk strings, in RESP3 too), as Redis 7.0 formats them.
  const out: string[] = [];
  let next = 0;
  if (z.isListpack) {
    // Matches Redis: a listpack is returned whole, in order, whatever the cursor and COUNT.
    const from = z.first();
    if (from !== null) {
      z.each(from, false, 0, (m, sc) => {
        if (scanMatches(o, m)) out.push(m, formatG17(sc));
        return true;
      });
    }
  } else {
    // A live walk over the member table in record order: records never move, so a member present
    // for the whole scan is returned (Redis's guarantee), and one removed meanwhile is not.
    next = scanStep(c, z, cursor, o.count, () => z.entries(), ([m, s]) => {
      if (scanMatches(o, m)) out.push(m, formatG17(s));
    });
  }
  replyScan(c, next, out);
}

// ---- specs ----

/**
 * ZRANK/ZREVRANK arity. The handler takes Redis 7.2's optional WITHSCORE, but the oracle (and
 * COMMAND INFO) is 7.0, where the arity is exactly 3 and a 4th argument is an arity error; set
 * this to -3 to expose WITHSCORE.
 */
const RANK_ARITY: number = 3;

const rankSpec = (name: string, reverse: boolean, summary: string): CommandSpec => ({
  name,
  arity: RANK_ARITY,
  flags: ["readonly", "fast"],
  keys: [1, 1, 1],
  keyFlags: ["RO", "access"],
  acl: ["sortedset"],
  group: "sorted-set",
  since: "2.0.0",
  summary,
  run(c) {
    const a = c.args;
    if (a.argc > 4) return c.error(wrongArity(name));
    let withScore = false;
    if (a.argc === 4) {
      if (!a.is(3, "withscore")) return c.error(E.syntax);
      withScore = true;
    }
    const z = zsetForRead(c, a.str(1));
    if (z === undefined) return;
    const ms = a.base + a.starts[2]!;
    const me = a.base + a.ends[2]!;
    const rank = z === null ? -1 : z.rankBytes(a.buf, ms, me, reverse);
    if (rank < 0) return withScore ? c.reply.nilArray() : c.reply.nil();
    if (withScore) c.reply.array(2);
    c.reply.int(rank);
    if (withScore) replyScore(c.reply, z!.scoreBytes(a.buf, ms, me)!);
  },
});

export const zsetCommands: readonly CommandSpec[] = [
  {
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "update"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Adds members with scores to a sorted set, or updates their scores; options restrict or report the change.",
    complexity: "O(log(N)) per added member",
    run: (c) => zadd(c, false),
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "access", "update"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Adds an increment to a member's score (creating the member at the increment) and replies with the new score.",
    complexity: "O(log(N))",
    run: (c) => zadd(c, true),
  },
  {
    name: "zrem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "delete"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Removes members from a sorted set; replies with how many were there.",
    complexity: "O(M*log(N))",
    run(c) {
      const key = c.args.str(1);
      const z = zsetForWrite(c, key);
      if (z === undefined) return;
      if (z === null) return c.reply.int(0);
      const a = c.args;
      let removed = 0;
      for (let i = 2; i < a.argc; i++) if (z.removeBytes(a.buf, a.base + a.starts[i]!, a.base + a.ends[i]!)) removed++;
      if (removed > 0) {
        touched(c, "zrem", key);
        deleteIfEmpty(c, key, z);
        c.dirty(removed);
      }
      c.reply.int(removed);
    },
  },
  {
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Returns how many members a sorted set has.",
    complexity: "O(1)",
    run(c) {
      const z = zsetForRead(c, c.args.str(1));
      if (z !== undefined) c.reply.int(z === null ? 0 : z.size);
    },
  },
  {
    name: "zscore",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Returns a member's score.",
    complexity: "O(1)",
    run(c) {
      const z = zsetForRead(c, c.args.str(1));
      if (z === undefined) return;
      const a = c.args;
      const s = z === null ? undefined : z.scoreBytes(a.buf, a.base + a.starts[2]!, a.base + a.ends[2]!);
      if (s === undefined) c.reply.nil();
      else replyScore(c.reply, s);
    },
  },
  {
    name: "zmscore",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Returns the scores of several members, null for those absent.",
    complexity: "O(N)",
    run(c) {
      const z = zsetForRead(c, c.args.str(1));
      if (z === undefined) return;
      const a = c.args;
      const argc = a.argc;
      c.reply.array(argc - 2);
      for (let i = 2; i < argc; i++) {
        const s = z === null ? undefined : z.scoreBytes(a.buf, a.base + a.starts[i]!, a.base + a.ends[i]!);
        if (s === undefined) c.reply.nil();
        else replyScore(c.reply, s);
      }
    },
  },
  rankSpec("zrank", false, "Returns a member's 0-based position counted from the lowest score."),
  rankSpec("zrevrank", true, "Returns a member's 0-based position counted from the highest score."),
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Returns random members (distinct for a positive count, possibly repeated for a negative one).",
    complexity: "O(N) where N is the number of members returned",
    tips: ["nondeterministic_output"],
    run: zrandmember,
  },
  {
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "2.8.0",
    summary: "Iterates over a sorted set's members and scores with a cursor, optionally filtered by a pattern.",
    complexity: "O(1) per call",
    tips: ["nondeterministic_output"],
    run: zscan,
  },
];
