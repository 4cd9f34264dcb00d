// Expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT) TTL PTTL EXPIRETIME
// PEXPIRETIME PERSIST. Times are int64 milliseconds as in Redis; past ±2^53 they are bigints so
// every digit survives. Lazy and active expiry themselves live in keyspace/.
import { E, invalidExpire } from "../errors.ts";
import { INT64_MAX, INT64_MIN, string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import { readNoTouch } from "./object.ts";
import type { ArgDoc, CommandSpec } from "./spec.ts";
import { NOTIFY_GENERIC } from "../notifications.ts";

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** Below this magnitude (in the given unit) the arithmetic stays exact in doubles. */
const SAFE_SECONDS = 2 ** 42;
const SAFE_MS = 2 ** 52;

/** int64 ms as a number when exact, else a bigint. */
function norm(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/**
 * The absolute expiry in ms that argv[2] asks for, or null after an error reply. Matches Redis's
 * checks: seconds must fit int64 once multiplied by 1000, and a relative time must not overflow
 * when the current time is added (only the upper bound is checked for the sum, as in Redis).
 */
function absoluteTime(c: Context, name: string, seconds: boolean, relative: boolean): number | bigint | null {
  const v = string2ll(c.args.str(2));
  if (v === null) {
    c.error(E.notInteger);
    return null;
  }
  const now = relative ? c.server.clock.now() : 0;
  if (typeof v === "number" && Math.abs(v) < (seconds ? SAFE_SECONDS : SAFE_MS)) {
    return (seconds ? v * 1000 : v) + now;
  }
  let when = BigInt(v);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
      c.error(invalidExpire(name));
      return null;
    }
    when *= 1000n;
  }
  if (when > INT64_MAX - BigInt(now)) {
    c.error(invalidExpire(name));
    return null;
  }
  return norm(when + BigInt(now));
}

/** EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT]. */
function expire(c: Context, name: string, seconds: boolean, relative: boolean): void {
  let flags = 0;
  for (let i = 3; i < c.args.argc; i++) {
    if (c.args.is(i, "nx")) flags |= NX;
    else if (c.args.is(i, "xx")) flags |= XX;
    else if (c.args.is(i, "gt")) flags |= GT;
    else if (c.args.is(i, "lt")) flags |= LT;
    else return c.error(`ERR Unsupported option ${c.args.str(i)}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) return c.error("ERR NX and XX, GT or LT options at the same time are not compatible");
  if (flags & GT && flags & LT) return c.error("ERR GT and LT options at the same time are not compatible");
  const when = absoluteTime(c, name, seconds, relative);
  if (when === null) return;
  const key = c.args.str(1);
  if (c.lookupWrite(key) === undefined) return c.reply.int(0);
  if (flags !== 0) {
    const cur = c.db.getExpireExact(key);
    // A key without a TTL counts as an infinite one: GT never applies to it, LT always does.
    if (flags & NX && cur !== -1) return c.reply.int(0);
    if (flags & XX && cur === -1) return c.reply.int(0);
    if (flags & GT && (cur === -1 || when <= cur)) return c.reply.int(0);
    if (flags & LT && cur !== -1 && when >= cur) return c.reply.int(0);
  }
  if (when <= c.server.clock.now() && !c.db.keepsExpired()) {
    // Matches Redis: a time already past deletes the key, and the deletion is what propagates.
    c.db.delete(key);
    c.propagateAs = [lazyExpire(c) ? "UNLINK" : "DEL", key];
    c.signalModified(key);
    c.notify(NOTIFY_GENERIC, "del", key);
  } else {
    c.db.setExpire(key, when);
    c.signalModified(key);
    c.notify(NOTIFY_GENERIC, "expire", key);
    // Deterministic form for AOF and replicas: the absolute time, options kept as given.
    if (name !== "pexpireat") {
      const argv = c.args.toStrings();
      argv[0] = "PEXPIREAT";
      argv[2] = String(when);
      c.propagateAs = argv;
    }
  }
  c.dirty();
  c.reply.int(1);
}

function lazyExpire(c: Context): boolean {
  return c.server.config.get("lazyfree-lazy-expire") === "yes";
}

/** TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 missing, -1 no TTL, else the time (relative ones floor at 0). */
function ttl(c: Context, ms: boolean, absolute: boolean): void {
  const key = c.args.str(1);
  if (readNoTouch(c, key, true) === undefined) return c.reply.int(-2);
  const when = c.db.getExpireExact(key);
  if (when === -1) return c.reply.int(-1);
  if (typeof when === "number") {
    let t = absolute ? when : when - c.server.clock.now();
    if (t < 0) t = 0;
    // Seconds round half up, as Redis's (t + 500) / 1000 does for t >= 0.
    return c.reply.int(ms ? t : Math.floor((t + 500) / 1000));
  }
  let t = absolute ? when : when - BigInt(c.server.clock.now());
  if (t < 0n) t = 0n;
  c.reply.int(norm(ms ? t : (t + 500n) / 1000n));
}

const KEY: ArgDoc = { name: "key", type: "key", keySpecIndex: 0 };
const CONDITION: ArgDoc = {
  name: "condition",
  type: "oneof",
  since: "7.0.0",
  flags: ["optional"],
  arguments: [
    { name: "nx", type: "pure-token", token: "NX" },
    { name: "xx", type: "pure-token", token: "XX" },
    { name: "gt", type: "pure-token", token: "GT" },
    { name: "lt", type: "pure-token", token: "LT" },
  ],
};
const timeArgs = (name: string, type: ArgDoc["type"]): readonly ArgDoc[] => [KEY, { name, type }, CONDITION];

const WRITE_KEY = {
  flags: ["write", "fast"],
  keys: [1, 1, 1],
  acl: ["keyspace"],
  group: "generic",
} as const satisfies Partial<CommandSpec>;

const READ_KEY = {
  arity: 2,
  flags: ["readonly", "fast"],
  keys: [1, 1, 1],
  acl: ["keyspace"],
  group: "generic",
  complexity: "O(1)",
  args: [KEY],
} as const satisfies Partial<CommandSpec>;

export const expireCommands: readonly CommandSpec[] = [
  {
    ...WRITE_KEY,
    name: "expire",
    arity: -3,
    since: "1.0.0",
    summary: "Gives a key a time to live in seconds.",
    complexity: "O(1)",
    args: timeArgs("seconds", "integer"),
    run: (c) => expire(c, "expire", true, true),
  },
  {
    ...WRITE_KEY,
    name: "pexpire",
    arity: -3,
    since: "2.6.0",
    summary: "Gives a key a time to live in milliseconds.",
    complexity: "O(1)",
    args: timeArgs("milliseconds", "integer"),
    run: (c) => expire(c, "pexpire", false, true),
  },
  {
    ...WRITE_KEY,
    name: "expireat",
    arity: -3,
    since: "1.2.0",
    summary: "Makes a key expire at a Unix time in seconds.",
    complexity: "O(1)",
    args: timeArgs("unix-time-seconds", "unix-time"),
    run: (c) => expire(c, "expireat", true, false),
  },
  {
    ...WRITE_KEY,
    name: "pexpireat",
    arity: -3,
    since: "2.6.0",
    summary: "Makes a key expire at a Unix time in milliseconds.",
    complexity: "O(1)",
    args: timeArgs("unix-time-milliseconds", "unix-time"),
    run: (c) => expire(c, "pexpireat", false, false),
  },
  {
    ...READ_KEY,
    name: "ttl",
    tips: ["nondeterministic_output"],
    since: "1.0.0",
    summary: "Reports the seconds left before a key expires.",
    run: (c) => ttl(c, false, false),
  },
  {
    ...READ_KEY,
    name: "pttl",
    tips: ["nondeterministic_output"],
    since: "2.6.0",
    summary: "Reports the milliseconds left before a key expires.",
    run: (c) => ttl(c, true, false),
  },
  {
    ...READ_KEY,
    name: "expiretime",
    since: "7.0.0",
    summary: "Reports the Unix time in seconds at which a key expires.",
    run: (c) => ttl(c, false, true),
  },
  {
    ...READ_KEY,
    name: "pexpiretime",
    since: "7.0.0",
    summary: "Reports the Unix time in milliseconds at which a key expires.",
    run: (c) => ttl(c, true, true),
  },
  {
    ...WRITE_KEY,
    name: "persist",
    arity: 2,
    since: "2.2.0",
    summary: "Removes a key's time to live, so it no longer expires.",
    complexity: "O(1)",
    args: [KEY],
    run(c) {
      const key = c.args.str(1);
      if (c.lookupWrite(key) === undefined || !c.db.persist(key)) return c.reply.int(0);
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_GENERIC, "persist", key);
      c.reply.int(1);
    },
  },
];
