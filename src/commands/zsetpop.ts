// Sorted set pops: ZPOPMIN ZPOPMAX ZMPOP and their blocking forms BZPOPMIN BZPOPMAX BZMPOP, whose
// parked clients are ZSetWaiters in the keyspace's blocking registry. Owns the pop replies and the
// ZPOPMIN/ZPOPMAX form a pop is propagated as; the registry itself (keyspace/blocking.ts) is not ours.
import { E } from "../errors.ts";
import { NOTIFY_ZSET } from "../notifications.ts";
import type { ZSet } from "../types/zset.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { ClientWaiter, deadlineAfter, park, timeoutArg } from "./waiter.ts";
import { asZSet, deleteIfEmpty, replyScore, touched, zsetArgForWrite, zsetForWrite } from "./zsetaccess.ts";

const NUMKEYS_POSITIVE = "ERR numkeys should be greater than 0";
const COUNT_POSITIVE = "ERR count should be greater than 0";

// ---- ZPOPMIN / ZPOPMAX / ZMPOP ----

/** What a pop took: the key and how many members (for the propagated ZPOPMIN/ZPOPMAX). */
interface Popped {
  readonly key: string;
  readonly n: number;
}

/**
 * Redis's genericZpopCommand for the forms that name the key in the reply (ZMPOP, BZPOPMIN & co.;
 * ZPOPMIN/ZPOPMAX are zpopMinMax): pop up to count from the first existing key among keys (a
 * WRONGTYPE on the way stops). count -1 is "no count given": BZPOPMIN's flat key, member, score;
 * nested is ZMPOP's [key, [[member, score]…]]. Returns what was popped, or null.
 */
function zpop(c: Context, keys: readonly string[], max: boolean, count: number, nested: boolean): Popped | null {
  let z: ZSet | null = null;
  let key = "";
  for (const k of keys) {
    const v = zsetForWrite(c, k);
    if (v === undefined) return null;
    if (v !== null) {
      z = v;
      key = k;
      break;
    }
  }
  const r = c.reply;
  if (z === null) {
    r.nilArray();
    return null;
  }
  const n = Math.min(count === -1 ? 1 : count, z.size);
  if (!nested) {
    r.array(1 + n * 2);
    r.bulk(key);
  } else {
    r.array(2);
    r.bulk(key);
    r.array(n);
  }
  popMembers(c, z, key, max, n, nested);
  return { key, n };
}

/**
 * Pop n members of z into the reply (each as a [member, score] pair when nested), then the
 * event, the emptied key and the dirty count. key null is argument 1, whose string is made only
 * when WATCH, a notification or an emptied set needs it.
 */
function popMembers(c: Context, z: ZSet, key: string | null, max: boolean, n: number, nested: boolean): void {
  const r = c.reply;
  for (let i = 0; i < n; i++) {
    const member = z.pop(max)!;
    if (nested) r.array(2);
    r.bulk(member);
    replyScore(r, z.poppedScore);
  }
  const event = max ? "zpopmax" : "zpopmin";
  if (key === null) c.keyChanged(1, NOTIFY_ZSET, event);
  else touched(c, event, key);
  if (z.size === 0) deleteIfEmpty(c, key ?? c.args.str(1), z);
  c.dirty(n);
}

/** ZPOPMIN/ZPOPMAX key [count]: the hot one, looked up by the key's bytes. */
function zpopMinMax(c: Context, max: boolean): void {
  const argc = c.args.argc;
  if (argc > 3) return c.error(E.syntax);
  let count = -1;
  if (argc === 3) {
    const v = string2ll(c.args.str(2));
    if (v === null || v < 0) return c.error(E.notPositive);
    count = Number(v);
  }
  const z = zsetArgForWrite(c, 1);
  if (z === undefined) return;
  if (z === null || count === 0) return c.reply.array(0);
  const n = count === -1 ? 1 : Math.min(count, z.size);
  const nested = c.reply.proto === 3 && count !== -1;
  c.reply.array(nested ? n : n * 2);
  popMembers(c, z, null, max, n, nested);
}

/** Parsed ZMPOP/BZMPOP arguments after numkeys. */
interface ZmpopArgs {
  readonly keys: string[];
  readonly max: boolean;
  readonly count: number;
}

/** Parse "numkeys key… MIN|MAX [COUNT n]" with numkeys at argv[at]; replies and returns null on error. */
function parseZmpop(c: Context, at: number): ZmpopArgs | null {
  const a = c.args;
  const argc = a.argc;
  const nk = string2ll(a.str(at));
  if (nk === null || nk < 1) {
    c.error(NUMKEYS_POSITIVE);
    return null;
  }
  const whereIdx = Number(nk) + at + 1;
  let max = false;
  if (whereIdx >= argc) {
    c.error(E.syntax);
    return null;
  }
  if (a.is(whereIdx, "max")) max = true;
  else if (!a.is(whereIdx, "min")) {
    c.error(E.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argc; j++) {
    if (count === -1 && a.is(j, "count") && j < argc - 1) {
      j++;
      const v = string2ll(a.str(j));
      if (v === null || v < 1) {
        c.error(COUNT_POSITIVE);
        return null;
      }
      count = Number(v);
    } else {
      c.error(E.syntax);
      return null;
    }
  }
  const keys: string[] = [];
  for (let j = at + 1; j < whereIdx; j++) keys.push(a.str(j));
  return { keys, max, count: count === -1 ? 1 : count };
}

/** Matches Redis: a pop with a count is propagated as ZPOPMIN/ZPOPMAX key n (n = members taken). */
function popArgv(max: boolean, p: Popped, withCount: boolean): string[] {
  const name = max ? "ZPOPMAX" : "ZPOPMIN";
  return withCount ? [name, p.key, String(p.n)] : [name, p.key];
}

function zmpop(c: Context): void {
  const m = parseZmpop(c, 1);
  if (m === null) return;
  const p = zpop(c, m.keys, m.max, m.count, true);
  if (p !== null) c.propagateAs = popArgv(m.max, p, true);
}

// ---- BZPOPMIN / BZPOPMAX / BZMPOP ----

/**
 * A client parked by BZPOPMIN/BZPOPMAX (count -1) or BZMPOP. Served by the registry after the
 * command that gave one of its keys a sorted set: it pops, replies on its own connection and
 * propagates the ZPOPMIN/ZPOPMAX that Redis 7.0 writes to its AOF for a served pop.
 */
class ZSetWaiter extends ClientWaiter {
  constructor(
    c: Context,
    keys: readonly string[],
    deadline: number,
    readonly max: boolean,
    readonly count: number,
  ) {
    super(c, keys, deadline);
  }

  serve(key: string): boolean {
    const c = this.c;
    // Another type (a list for a BLPOP waiter, say) leaves this client waiting.
    const z = asZSet(c.db.lookup(key));
    if (z === undefined || z === null || z.size === 0) return false;
    const mpop = this.count !== -1;
    const p = zpop(c, [key], this.max, this.count, mpop);
    const prop = c.server.propagation;
    if (p !== null && prop.active) prop.emit(this.dbId, popArgv(this.max, p, mpop));
    this.finish();
    return true;
  }
}

/**
 * Pop from the first existing key at once (or reply WRONGTYPE), else wait for one to receive a
 * sorted set: timeoutMs 0 waits forever; with blocking denied (inside EXEC) reply as on timeout.
 * count -1 is BZPOPMIN/BZPOPMAX, whose reply and propagated pop carry no count.
 */
function bzpop(c: Context, keys: string[], timeoutMs: number, max: boolean, count: number): void {
  const mpop = count !== -1;
  for (const key of keys) {
    if (c.lookupWrite(key) === undefined) continue;
    const p = zpop(c, keys, max, count, mpop);
    if (p !== null) c.propagateAs = popArgv(max, p, mpop);
    return;
  }
  if (c.denyBlocking) return c.reply.nilArray();
  park(c, new ZSetWaiter(c, keys, deadlineAfter(c, timeoutMs), max, count));
}

/** BZPOPMIN/BZPOPMAX key… timeout. */
function bzpopMinMax(c: Context, max: boolean): void {
  const argc = c.args.argc;
  const t = timeoutArg(c, argc - 1);
  if (t === null) return;
  const keys: string[] = [];
  for (let i = 1; i < argc - 1; i++) keys.push(c.args.str(i));
  bzpop(c, keys, t, max, -1);
}

/** BZMPOP timeout numkeys key… MIN|MAX [COUNT n]: matches Redis, the timeout is checked last. */
function bzmpop(c: Context): void {
  const m = parseZmpop(c, 2);
  if (m === null) return;
  const t = timeoutArg(c, 1);
  if (t !== null) bzpop(c, m.keys, t, m.max, m.count);
}

// ---- specs ----

const popSpec = (name: string, max: boolean, summary: string): CommandSpec => ({
  name,
  arity: -2,
  flags: ["write", "fast"],
  keys: [1, 1, 1],
  keyFlags: ["RW", "access", "delete"],
  acl: ["sortedset"],
  group: "sorted-set",
  since: "5.0.0",
  summary,
  run: (c) => zpopMinMax(c, max),
});

const bzpopSpec = (name: string, max: boolean, summary: string): CommandSpec => ({
  name,
  arity: -3,
  flags: ["write", "noscript", "blocking", "fast"],
  keys: [1, -2, 1],
  keyFlags: ["RW", "access", "delete"],
  acl: ["sortedset"],
  group: "sorted-set",
  since: "5.0.0",
  summary,
  complexity: "O(log(N))",
  run: (c) => bzpopMinMax(c, max),
});

export const zsetPopCommands: readonly CommandSpec[] = [
  popSpec("zpopmin", false, "Removes and returns the members with the lowest scores."),
  popSpec("zpopmax", true, "Removes and returns the members with the highest scores."),
  {
    name: "zmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    keys: [0, 0, 0],
    keySpecs: [{ flags: ["RW", "access", "delete"], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "7.0.0",
    summary: "Pops the lowest or highest members of the first non-empty sorted set among several keys.",
    complexity: "O(K) + O(M*log(N))",
    run: zmpop,
  },
  bzpopSpec("bzpopmin", false, "Pops the lowest-scored member of the first non-empty sorted set, waiting for one if all are empty."),
  bzpopSpec("bzpopmax", true, "Pops the highest-scored member of the first non-empty sorted set, waiting for one if all are empty."),
  {
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    keys: [0, 0, 0],
    keySpecs: [{ flags: ["RW", "access", "delete"], begin: { index: 2 }, find: { keynum: [0, 1, 1] } }],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "7.0.0",
    summary: "Like ZMPOP, but waits for one of the sorted sets to receive members when all are empty.",
    complexity: "O(K) + O(M*log(N))",
    run: bzmpop,
  },
];
