// Generic key commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN RANDOMKEY DBSIZE SWAPDB
// MOVE COPY TOUCH FLUSHDB FLUSHALL, and OBJECT (object.ts). Type-agnostic: values are only moved,
// cloned or named. Expiry commands live in expire.ts; lazy expiry and cursors in keyspace/db.ts.
import { E } from "../errors.ts";
import type { Db } from "../keyspace/db.ts";
import { typeOf } from "../types/value.ts";
import { asciiLower } from "../util/bytes.ts";
import { globMatch } from "../util/glob.ts";
import { string2ll } from "../util/number.ts";
import { parseScanCursor } from "../util/scancursor.ts";
import type { Context } from "./context.ts";
import { objectCommand, readNoTouch } from "./object.ts";
import type { ArgDoc, CommandSpec, KeySpec } from "./spec.ts";
import { NOTIFY_GENERIC, NOTIFY_KEY_MISS } from "../notifications.ts";

/** Redis's getIntFromObjectOrReply text for an int64 outside the int range. */
const INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";

/** Redis's getIntFromObjectOrReply: an int64 in the int range, or an error reply and null. */
function parseInt32(c: Context, i: number, notInt: string = E.notInteger, range: string = INT_RANGE): number | null {
  const v = string2ll(c.args.str(i));
  if (v === null) {
    c.error(notInt);
    return null;
  }
  if (typeof v === "bigint" || v < -2147483648 || v > 2147483647) {
    c.error(range);
    return null;
  }
  return v;
}

/** The db a DB argument names, or an error reply and null. */
function dbAt(c: Context, id: number): Db | null {
  const db = c.server.dbs[id];
  if (db === undefined) {
    c.error(E.dbIndexOutOfRange);
    return null;
  }
  return db;
}

/** Clients blocked on a key that just received a value may now be served (Redis's dbAdd does this). */
function signalAdded(c: Context, db: Db, key: string): void {
  c.server.blocking.signal(db.id, key);
}

/** signalModifiedKey + notifyKeyspaceEvent for a key of any db (MOVE and COPY write into another). */
function touchedIn(c: Context, db: Db, event: string, key: string): void {
  const w = c.server.watches;
  if (!w.empty) w.touch(db, key);
  c.server.pubsub.notify(NOTIFY_GENERIC, event, key, db.id);
}

/** DEL and UNLINK: freeing is synchronous either way here. */
function del(c: Context): void {
  let n = 0;
  for (let i = 1; i < c.args.argc; i++) {
    const key = c.args.str(i);
    if (!c.db.delete(key)) continue;
    n++;
    c.signalModified(key);
    c.notify(NOTIFY_GENERIC, "del", key);
  }
  if (n > 0) c.dirty(n);
  c.reply.int(n);
}

function rename(c: Context, nx: boolean): void {
  const src = c.args.str(1);
  const dst = c.args.str(2);
  if (c.lookupWrite(src) === undefined) return c.error(E.noSuchKey);
  // Matches Redis: renaming a key to itself succeeds (RENAMENX: 0) without changing anything.
  if (src === dst) return nx ? c.reply.int(0) : c.reply.ok();
  if (c.lookupWrite(dst) !== undefined && nx) return c.reply.int(0);
  c.db.rename(src, dst);
  signalAdded(c, c.db, dst);
  c.signalModified(src);
  c.signalModified(dst);
  c.notify(NOTIFY_GENERIC, "rename_from", src);
  c.notify(NOTIFY_GENERIC, "rename_to", dst);
  c.dirty();
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

/** FLUSHDB/FLUSHALL [SYNC|ASYNC]: both free at once here. */
function flushMode(c: Context): boolean {
  if (c.args.argc > 2 || (c.args.argc === 2 && !c.args.is(1, "sync") && !c.args.is(1, "async"))) {
    c.error(E.syntax);
    return false;
  }
  return true;
}

const KEY: readonly ArgDoc[] = [{ name: "key", type: "key", keySpecIndex: 0 }];
const KEYS_ARG: readonly ArgDoc[] = [{ name: "key", type: "key", flags: ["multiple"], keySpecIndex: 0 }];
const RENAME_ARGS: readonly ArgDoc[] = [
  { name: "key", type: "key", keySpecIndex: 0 },
  { name: "newkey", type: "key", keySpecIndex: 1 },
];
const FLUSH_ARGS: readonly ArgDoc[] = [
  {
    name: "async",
    type: "oneof",
    flags: ["optional"],
    arguments: [
      { name: "async", type: "pure-token", token: "ASYNC", since: "4.0.0" },
      { name: "sync", type: "pure-token", token: "SYNC", since: "6.2.0" },
    ],
  },
];
const MULTI_KEY_TIPS = ["request_policy:multi_shard", "response_policy:agg_sum"];
const FLUSH_TIPS = ["request_policy:all_shards", "response_policy:all_succeeded"];
const ONE_KEY = (flags: KeySpec["flags"], index: number): KeySpec => ({
  flags,
  begin: { index },
  find: { range: [0, 1, 0] },
});

export const keyCommands: readonly CommandSpec[] = [
  {
    name: "del",
    arity: -2,
    flags: ["write"],
    keys: [1, -1, 1],
    keyFlags: ["RM", "delete"],
    acl: ["keyspace"],
    tips: MULTI_KEY_TIPS,
    group: "generic",
    since: "1.0.0",
    summary: "Removes the given keys and reports how many existed.",
    complexity:
      "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
    args: KEYS_ARG,
    run: del,
  },
  {
    name: "unlink",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, -1, 1],
    keyFlags: ["RM", "delete"],
    acl: ["keyspace"],
    tips: MULTI_KEY_TIPS,
    group: "generic",
    since: "4.0.0",
    summary: "Removes the given keys, reclaiming their memory in the background where that helps.",
    complexity:
      "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
    args: KEYS_ARG,
    run: del,
  },
  {
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    keyFlags: ["RO"],
    acl: ["keyspace"],
    tips: MULTI_KEY_TIPS,
    group: "generic",
    since: "1.0.0",
    summary: "Counts how many of the given keys exist (a repeated key counts each time).",
    complexity: "O(N) where N is the number of keys to check.",
    args: KEYS_ARG,
    run(c) {
      let n = 0;
      for (let i = 1; i < c.args.argc; i++) if (readNoTouch(c, c.args.str(i), true) !== undefined) n++;
      c.reply.int(n);
    },
  },
  {
    name: "type",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["keyspace"],
    group: "generic",
    since: "1.0.0",
    summary: "Names the type of the value at a key, or none.",
    complexity: "O(1)",
    args: KEY,
    run(c) {
      const v = readNoTouch(c, c.args.str(1), true);
      c.reply.simple(v === undefined ? "none" : typeOf(v));
    },
  },
  {
    name: "rename",
    arity: 3,
    flags: ["write"],
    keys: [1, 2, 1],
    keySpecs: [ONE_KEY(["RW", "access", "delete"], 1), ONE_KEY(["OW", "update"], 2)],
    acl: ["keyspace"],
    group: "generic",
    since: "1.0.0",
    summary: "Gives a key a new name, replacing any key already called that.",
    complexity: "O(1)",
    args: RENAME_ARGS,
    run: (c) => rename(c, false),
  },
  {
    name: "renamenx",
    arity: 3,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    keySpecs: [ONE_KEY(["RW", "access", "delete"], 1), ONE_KEY(["OW", "insert"], 2)],
    acl: ["keyspace"],
    group: "generic",
    since: "1.0.0",
    summary: "Gives a key a new name only when no key is called that yet.",
    complexity: "O(1)",
    args: RENAME_ARGS,
    run: (c) => rename(c, true),
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    acl: ["keyspace", "dangerous"],
    tips: ["request_policy:all_shards", "nondeterministic_output_order"],
    group: "generic",
    since: "1.0.0",
    summary: "Lists every key whose name matches a glob-style pattern.",
    complexity:
      "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
    args: [{ name: "pattern", type: "pattern" }],
    run(c) {
      const pat = c.args.str(1);
      const all = pat === "*";
      const db = c.db;
      const checkTtl = db.expires.size !== 0;
      const now = c.server.clock.now();
      const out: string[] = [];
      // Matches Redis: expired keys are left out but not reclaimed (no DEL is propagated).
      for (const k of db.dict.keys()) {
        if ((all || globMatch(pat, k)) && !(checkTtl && db.isExpired(k, now))) out.push(k);
      }
      c.reply.bulkArray(out);
    },
  },
  {
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    acl: ["keyspace"],
    tips: ["nondeterministic_output", "request_policy:special"],
    group: "generic",
    since: "2.8.0",
    summary: "Walks the keyspace a few keys per call, resuming from a cursor.",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    args: [
      { name: "cursor", type: "integer" },
      { name: "pattern", type: "pattern", token: "MATCH", flags: ["optional"] },
      { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
      { name: "type", type: "string", token: "TYPE", since: "6.0.0", flags: ["optional"] },
    ],
    run(c) {
      const cursor = parseScanCursor(c.args.str(1));
      if (cursor === null) return c.error(E.invalidCursor);
      let count = 10;
      let pat: string | null = null;
      let type: string | null = null;
      const argc = c.args.argc;
      for (let i = 2; i < argc; i += 2) {
        const hasValue = i + 1 < argc;
        if (hasValue && c.args.is(i, "count")) {
          const n = string2ll(c.args.str(i + 1));
          if (n === null) return c.error(E.notInteger);
          if (n < 1) return c.error(E.syntax);
          count = typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
        } else if (hasValue && c.args.is(i, "match")) {
          pat = c.args.str(i + 1);
          if (pat === "*") pat = null;
        } else if (hasValue && c.args.is(i, "type")) {
          type = asciiLower(c.args.str(i + 1));
        } else {
          return c.error(E.syntax);
        }
      }
      const db = c.db;
      const { next, keys } = db.scan(cursor, count);
      const out: string[] = [];
      for (const k of keys) {
        if (pat !== null && !globMatch(pat, k)) continue;
        if (type !== null) {
          // Matches Redis: the type is read with a (non-touching) lookup, so an expired key is
          // reclaimed here and then reported as "none" — SCAN … TYPE none returns it.
          const v = readNoTouch(c, k);
          if ((v === undefined ? "none" : typeOf(v)) !== type) continue;
        }
        if (db.expires.size !== 0 && db.expireIfNeeded(k)) continue;
        out.push(k);
      }
      c.reply.array(2);
      c.reply.bulk(String(next));
      c.reply.bulkArray(out);
    },
  },
  {
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    acl: ["keyspace"],
    tips: ["request_policy:all_shards", "nondeterministic_output"],
    group: "generic",
    since: "1.0.0",
    summary: "Picks a key at random.",
    complexity: "O(1)",
    run(c) {
      const k = c.db.randomKey();
      if (k === null) c.reply.nil();
      else c.reply.bulk(k);
    },
  },
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    acl: ["keyspace"],
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    group: "server",
    since: "1.0.0",
    summary: "Counts the keys in the selected database.",
    complexity: "O(1)",
    // Matches Redis: keys past their TTL but not yet reclaimed still count.
    run: (c) => c.reply.int(c.db.size),
  },
  {
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    acl: ["keyspace", "dangerous"],
    group: "server",
    since: "4.0.0",
    summary: "Exchanges the contents of two databases.",
    complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    args: [
      { name: "index1", type: "integer" },
      { name: "index2", type: "integer" },
    ],
    run(c) {
      const a = parseInt32(c, 1, "ERR invalid first DB index", "ERR invalid first DB index");
      if (a === null) return;
      const b = parseInt32(c, 2, "ERR invalid second DB index", "ERR invalid second DB index");
      if (b === null) return;
      const dbs = c.server.dbs;
      if (a < 0 || a >= dbs.length || b < 0 || b >= dbs.length) return c.error(E.dbIndexOutOfRange);
      if (a !== b) {
        const x = dbs[a]!;
        const y = dbs[b]!;
        // Matches Redis: a watched key changes when it exists in either db.
        const w = c.server.watches;
        if (!w.empty) {
          w.touchFlushed(x, y);
          w.touchFlushed(y, x);
        }
        x.swapWith(y);
        // Clients blocked in either db may find their keys filled now (only scanned when any wait).
        if (c.server.blocking.keyCount !== 0) {
          for (const db of [x, y]) for (const k of db.dict.keys()) signalAdded(c, db, k);
        }
      }
      c.dirty();
      c.reply.ok();
    },
  },
  {
    name: "move",
    arity: 3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "access", "update"],
    acl: ["keyspace"],
    group: "generic",
    since: "1.0.0",
    summary: "Moves a key into another database unless a key of that name is there.",
    complexity: "O(1)",
    args: [
      { name: "key", type: "key", keySpecIndex: 0 },
      { name: "db", type: "integer" },
    ],
    run(c) {
      const id = parseInt32(c, 2);
      if (id === null) return;
      const dst = dbAt(c, id);
      if (dst === null) return;
      if (dst === c.db) return c.error(E.sameObject);
      const key = c.args.str(1);
      if (c.lookupWrite(key) === undefined) return c.reply.int(0);
      if (dst.lookup(key) !== undefined) return c.reply.int(0);
      c.db.moveTo(key, dst);
      signalAdded(c, dst, key);
      touchedIn(c, c.db, "move_from", key);
      touchedIn(c, dst, "move_to", key);
      c.dirty();
      c.reply.int(1);
    },
  },
  {
    name: "copy",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    keySpecs: [ONE_KEY(["RO", "access"], 1), ONE_KEY(["OW", "update"], 2)],
    acl: ["keyspace"],
    group: "generic",
    since: "6.2.0",
    summary: "Copies a key's value (and TTL) to another key, in this or another database.",
    complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
    args: [
      { name: "source", type: "key", keySpecIndex: 0 },
      { name: "destination", type: "key", keySpecIndex: 1 },
      { name: "destination-db", type: "integer", token: "DB", flags: ["optional"] },
      { name: "replace", type: "pure-token", token: "REPLACE", flags: ["optional"] },
    ],
    run(c) {
      let replace = false;
      const argc = c.args.argc;
      let dbId = c.db.id;
      for (let i = 3; i < argc; i++) {
        if (c.args.is(i, "replace")) {
          replace = true;
        } else if (c.args.is(i, "db") && i + 1 < argc) {
          const id = parseInt32(c, ++i);
          if (id === null) return;
          dbId = id;
        } else {
          return c.error(E.syntax);
        }
      }
      const dst = dbAt(c, dbId);
      if (dst === null) return;
      const src = c.args.str(1);
      const to = c.args.str(2);
      if (dst === c.db && src === to) return c.error(E.sameObject);
      const v = c.lookupRead(src);
      if (v === undefined) return c.reply.int(0);
      const when = c.db.getExpireExact(src);
      if (dst.lookup(to) !== undefined) {
        if (!replace) return c.reply.int(0);
        dst.delete(to);
      }
      dst.set(to, typeof v === "object" ? v.clone() : v);
      if (when !== -1) dst.setExpire(to, when);
      signalAdded(c, dst, to);
      touchedIn(c, dst, "copy_to", to);
      c.dirty();
      c.reply.int(1);
    },
  },
  {
    name: "touch",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    keyFlags: ["RO"],
    acl: ["keyspace"],
    tips: MULTI_KEY_TIPS,
    group: "generic",
    since: "3.2.1",
    summary: "Marks the given keys as just accessed and counts those that exist.",
    complexity: "O(N) where N is the number of keys that will be touched.",
    args: KEYS_ARG,
    run(c) {
      let n = 0;
      const stats = c.server.stats;
      for (let i = 1; i < c.args.argc; i++) {
        if (c.db.lookup(c.args.str(i)) !== undefined) {
          n++;
          stats.keyspaceHits++;
        } else {
          stats.keyspaceMisses++;
          c.notify(NOTIFY_KEY_MISS, "keymiss", c.args.str(i));
        }
      }
      c.reply.int(n);
    },
  },
  {
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    acl: ["keyspace", "dangerous"],
    tips: FLUSH_TIPS,
    group: "server",
    since: "1.0.0",
    summary: "Removes every key of the selected database.",
    complexity: "O(N) where N is the number of keys in the selected database",
    args: FLUSH_ARGS,
    run(c) {
      if (!flushMode(c)) return;
      if (!c.server.watches.empty) c.server.watches.touchFlushed(c.db, null);
      // Matches Redis: counted as the keys removed, but propagated even when there were none.
      c.dirty(c.db.flush());
      c.forcePropagation = true;
      c.reply.ok();
    },
  },
  {
    name: "flushall",
    arity: -1,
    flags: ["write"],
    acl: ["keyspace", "dangerous"],
    tips: FLUSH_TIPS,
    group: "server",
    since: "1.0.0",
    summary: "Removes every key of every database.",
    complexity: "O(N) where N is the total number of keys in all databases",
    args: FLUSH_ARGS,
    run(c) {
      if (!flushMode(c)) return;
      let n = 0;
      for (const db of c.server.dbs) {
        if (!c.server.watches.empty) c.server.watches.touchFlushed(db, null);
        n += db.flush();
      }
      c.dirty(n);
      // Matches Redis: a running BGSAVE is dropped, and with save points the empty state is saved at once.
      c.server.rdb.afterFlushAll();
      // Matches Redis: counted as the keys removed, but propagated even when there were none.
      c.forcePropagation = true;
      c.reply.ok();
    },
  },
  objectCommand,
];
