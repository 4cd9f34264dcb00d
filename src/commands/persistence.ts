// Persistence commands: SAVE BGSAVE LASTSAVE DUMP RESTORE SHUTDOWN. The work lives in
// persistence/rdbsaver.ts (reached as server.rdb); here only argv parsing, Redis's replies and
// errors, propagation of RESTORE as a deterministic ABSTTL form, and the shutdown hand-off.
import { E } from "../errors.ts";
import { NOTIFY_GENERIC } from "../notifications.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";

const BGSAVE_IN_PROGRESS = "ERR Background save already in progress";
const CHILD_ACTIVE =
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
const BUSYKEY = "BUSYKEY Target key name already exists.";
const BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
const BAD_FORMAT = "ERR Bad data format";

function save(c: Context): void {
  const rdb = c.server.rdb;
  if (rdb.bgsaveInProgress) return c.error(BGSAVE_IN_PROGRESS);
  // Matches Redis: a failed SAVE answers a bare "-ERR" (details go to the log).
  if (!rdb.saveSync()) return c.error("ERR");
  c.reply.ok();
}

function bgsave(c: Context): void {
  let schedule = false;
  if (c.args.argc > 1) {
    if (c.args.argc === 2 && c.args.is(1, "schedule")) schedule = true;
    else return c.error(E.syntax);
  }
  const srv = c.server;
  const rdb = srv.rdb;
  if (rdb.bgsaveInProgress) return c.error(BGSAVE_IN_PROGRESS);
  // Matches Redis: with an AOF rewrite running, or inside EXEC (denyBlocking is set there) so the
  // snapshot never holds half a transaction, it can only be scheduled.
  if (srv.stats.persistence.aofRewriteInProgress || c.denyBlocking) {
    if (!schedule && !c.denyBlocking) return c.error(CHILD_ACTIVE);
    rdb.scheduled = true;
    return c.reply.simple("Background saving scheduled");
  }
  if (!rdb.bgsave()) return c.error("ERR");
  c.reply.simple("Background saving started");
}

function dump(c: Context): void {
  const v = c.lookupRead(c.args.str(1));
  if (v === undefined) return c.reply.nil();
  c.reply.bulkBytes(c.server.rdb.dump(v));
}

function restore(c: Context): void {
  const a = c.args;
  const argc = a.argc;
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argc; j++) {
    const more = j + 1 < argc;
    if (a.is(j, "replace")) {
      replace = true;
    } else if (a.is(j, "absttl")) {
      absttl = true;
    } else if (a.is(j, "idletime") && more && freq === -1) {
      const v = string2ll(a.str(++j));
      if (v === null) return c.error(E.notInteger);
      if (v < 0) return c.error("ERR Invalid IDLETIME value, must be >= 0");
      idle = Number(v);
    } else if (a.is(j, "freq") && more && idle === -1) {
      const v = string2ll(a.str(++j));
      if (v === null) return c.error(E.notInteger);
      if (v < 0 || v > 255) return c.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = Number(v);
    } else {
      return c.error(E.syntax);
    }
  }
  const key = a.str(1);
  const db = c.db;
  if (!replace && c.lookupWrite(key) !== undefined) return c.error(BUSYKEY);
  const ttlArg = string2ll(a.str(2));
  if (ttlArg === null) return c.error(E.notInteger);
  if (ttlArg < 0) return c.error("ERR Invalid TTL value, must be >= 0");
  const srv = c.server;
  const value = srv.rdb.restore(a.bytes(3), key);
  if (value === "checksum") return c.error(BAD_PAYLOAD);
  if (value === "format") return c.error(BAD_FORMAT);
  const deleted = replace && db.delete(key);
  const now = srv.clock.now();
  let when: number | bigint = ttlArg;
  if (ttlArg !== 0 && !absttl) when = typeof ttlArg === "bigint" ? ttlArg + BigInt(now) : ttlArg + now;
  if (ttlArg !== 0 && when <= now) {
    // Matches Redis: an already expired TTL creates nothing; a replaced key is logged as DEL.
    if (deleted) {
      c.propagateAs = ["DEL", key];
      c.signalModified(key);
      c.notify(NOTIFY_GENERIC, "del", key);
      c.dirty();
    }
    return c.reply.ok();
  }
  db.set(key, value);
  if (ttlArg !== 0) {
    db.setExpire(key, when);
    if (!absttl) {
      // Matches Redis: a relative TTL is propagated as an absolute time with ABSTTL appended.
      const argv = a.toStrings();
      argv[2] = String(when);
      argv.push("ABSTTL");
      c.propagateAs = argv;
    }
  }
  if (srv.config.get("maxmemory-policy").endsWith("-lfu")) {
    if (freq >= 0) db.setLfuCounter(key, freq);
  } else if (idle >= 0) {
    db.setIdle(key, idle * 1000);
  }
  srv.blocking.signal(db.id, key);
  c.signalModified(key);
  c.notify(NOTIFY_GENERIC, "restore", key);
  c.reply.ok();
  c.dirty();
}

function shutdown(c: Context): void {
  const a = c.args;
  let nosave = false;
  let saveFlag = false;
  let abort = false;
  let force = false;
  let now = false;
  for (let i = 1; i < a.argc; i++) {
    if (a.is(i, "nosave")) nosave = true;
    else if (a.is(i, "save")) saveFlag = true;
    else if (a.is(i, "now")) now = true;
    else if (a.is(i, "force")) force = true;
    else if (a.is(i, "abort")) abort = true;
    else return c.error(E.syntax);
  }
  if ((abort && a.argc !== 2) || (nosave && saveFlag)) return c.error(E.syntax);
  // Without replicas to wait for, a shutdown is never left in progress.
  if (abort) return c.error("ERR No shutdown in progress.");
  void now;
  const srv = c.server;
  srv.log.warning("User requested shutdown...");
  if (!srv.rdb.prepareShutdown({ save: saveFlag, nosave, force })) {
    srv.log.warning("Errors trying to shut down the server. Check the logs for more information.");
    return c.error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  // Matches Redis: no reply; the connection closes as the server goes away.
  c.closeAfterReply = true;
  setImmediate(() => srv.shutdownNow());
}

export const persistenceCommands: readonly CommandSpec[] = [
  {
    name: "save",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    group: "server",
    since: "1.0.0",
    summary: "Writes the whole dataset to the dump file, blocking the server until done.",
    complexity: "O(N) where N is the total number of keys in all databases",
    run: save,
  },
  {
    name: "bgsave",
    arity: -1,
    flags: ["admin", "noscript", "no_async_loading"],
    group: "server",
    since: "1.0.0",
    summary: "Writes a point-in-time snapshot of the dataset to the dump file while serving clients.",
    complexity: "O(1)",
    args: [{ name: "schedule", type: "pure-token", token: "SCHEDULE", since: "3.2.2", flags: ["optional"] }],
    run: bgsave,
  },
  {
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    acl: ["admin", "dangerous"],
    tips: ["nondeterministic_output"],
    group: "server",
    since: "1.0.0",
    summary: "Tells when the dataset was last saved successfully, as a Unix time in seconds.",
    complexity: "O(1)",
    run: (c) => c.reply.int(c.server.stats.persistence.lastSaveTime),
  },
  {
    name: "dump",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["keyspace"],
    tips: ["nondeterministic_output"],
    group: "generic",
    since: "2.6.0",
    summary: "Serialises a key's value in the format RESTORE reads.",
    complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size.",
    args: [{ name: "key", type: "key", keySpecIndex: 0 }],
    run: dump,
  },
  {
    name: "restore",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    keyFlags: ["OW", "update"],
    acl: ["keyspace", "dangerous"],
    group: "generic",
    since: "2.6.0",
    summary: "Creates a key from a value serialised by DUMP.",
    complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value.",
    args: [
      { name: "key", type: "key", keySpecIndex: 0 },
      { name: "ttl", type: "integer" },
      { name: "serialized-value", type: "string" },
      { name: "replace", type: "pure-token", token: "REPLACE", since: "3.0.0", flags: ["optional"] },
      { name: "absttl", type: "pure-token", token: "ABSTTL", since: "5.0.0", flags: ["optional"] },
      { name: "seconds", type: "integer", token: "IDLETIME", since: "5.0.0", flags: ["optional"] },
      { name: "frequency", type: "integer", token: "FREQ", since: "5.0.0", flags: ["optional"] },
    ],
    run: restore,
  },
  {
    name: "shutdown",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    group: "server",
    since: "1.0.0",
    summary: "Saves the dataset when configured to, then stops the server.",
    complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
    args: [
      {
        name: "save-selector",
        type: "oneof",
        flags: ["optional"],
        arguments: [
          { name: "nosave", type: "pure-token", token: "NOSAVE" },
          { name: "save", type: "pure-token", token: "SAVE" },
        ],
      },
      { name: "now", type: "pure-token", token: "NOW", since: "7.0.0", flags: ["optional"] },
      { name: "force", type: "pure-token", token: "FORCE", since: "7.0.0", flags: ["optional"] },
      { name: "abort", type: "pure-token", token: "ABORT", since: "7.0.0", flags: ["optional"] },
    ],
    run: shutdown,
  },
];
