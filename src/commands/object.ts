// OBJECT ENCODING/FREQ/IDLETIME/REFCOUNT/HELP: how a value is stored and used. Also the
// non-touching read Redis's introspecting commands share (EXISTS, TYPE, TTL, SCAN's TYPE filter).
import { isStringValue, stringEncoding } from "../types/bytestring.ts";
import type { Value } from "../types/value.ts";
import type { Context } from "./context.ts";
import { replyHelp } from "./server.ts";
import type { CommandSpec } from "./spec.ts";
import { NOTIFY_KEY_MISS } from "../notifications.ts";

/** Redis's OBJ_SHARED_REFCOUNT: the refcount reported for shared small integers. */
const SHARED_REFCOUNT = 2147483647;
/** Redis's OBJ_SHARED_INTEGERS: 0..9999 are shared objects. */
const SHARED_INTEGERS = 10000;
const LFU_POLICY_SET =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const LFU_POLICY_NOT_SET =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/**
 * Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): expires the key and counts a keyspace hit
 * or miss, but leaves its access time alone (EXISTS, TYPE, TTL, OBJECT, SCAN's TYPE filter).
 */
export function readNoTouch(c: Context, key: string, notifyMiss = false): Value | undefined {
  const v = c.db.peek(key);
  if (v === undefined) {
    c.server.stats.keyspaceMisses++;
    // Matches Redis: EXISTS, TYPE and TTL report a miss as a "keymiss" event; OBJECT does not.
    if (notifyMiss) c.notify(NOTIFY_KEY_MISS, "keymiss", key);
  } else {
    c.server.stats.keyspaceHits++;
  }
  return v;
}

function isLfu(c: Context): boolean {
  return c.server.config.get("maxmemory-policy").endsWith("-lfu");
}

const OBJECT_HELP = [
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
];

/** The value OBJECT's subcommands inspect: looked up without touching; a null reply if missing. */
function objectTarget(c: Context): Value | undefined {
  const v = readNoTouch(c, c.args.str(2));
  if (v === undefined) c.reply.nil();
  return v;
}

/** Redis shares 0..9999 unless maxmemory is set with an LRU/LFU policy (which needs per-key state). */
function isSharedInt(c: Context, v: Value): boolean {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= SHARED_INTEGERS) return false;
  const policy = c.server.config.get("maxmemory-policy");
  return c.server.config.maxmemory === 0 || !(policy.endsWith("-lru") || policy.endsWith("-lfu"));
}

const OBJECT_KEY: Pick<CommandSpec, "arity" | "flags" | "keys" | "keyFlags" | "acl" | "tips" | "group" | "args"> = {
  arity: 3,
  flags: ["readonly"],
  keys: [2, 2, 1],
  keyFlags: ["RO"],
  acl: ["keyspace"],
  tips: ["nondeterministic_output"],
  group: "generic",
  args: [{ name: "key", type: "key", keySpecIndex: 0 }],
};

export const objectCommand: CommandSpec = {
  name: "object",
  arity: -2,
  flags: [],
  group: "generic",
  since: "2.2.3",
  summary: "Container for commands that inspect how a value is stored.",
  complexity: "Depends on subcommand.",
  subcommands: [
    {
      ...OBJECT_KEY,
      name: "encoding",
      since: "2.2.3",
      summary: "Names the internal representation of a key's value.",
      complexity: "O(1)",
      run(c) {
        const v = objectTarget(c);
        if (v === undefined) return;
        c.reply.bulk(isStringValue(v) ? stringEncoding(v) : v.encoding());
      },
    },
    {
      ...OBJECT_KEY,
      name: "freq",
      since: "4.0.0",
      summary: "Reports the logarithmic access-frequency counter of a key (LFU policies only).",
      complexity: "O(1)",
      run(c) {
        const v = objectTarget(c);
        if (v === undefined) return;
        if (!isLfu(c)) return c.error(LFU_POLICY_NOT_SET);
        c.reply.int(c.db.lfuFreq(c.args.str(2)));
      },
    },
    {
      name: "help",
      arity: 2,
      flags: ["loading", "stale"],
      acl: ["keyspace"],
      group: "generic",
      since: "6.2.0",
      summary: "Lists the OBJECT subcommands.",
      complexity: "O(1)",
      run: (c) => replyHelp(c, "OBJECT", OBJECT_HELP),
    },
    {
      ...OBJECT_KEY,
      name: "idletime",
      since: "2.2.3",
      summary: "Reports how many seconds ago a key was last read or written.",
      complexity: "O(1)",
      run(c) {
        const v = objectTarget(c);
        if (v === undefined) return;
        if (isLfu(c)) return c.error(LFU_POLICY_SET);
        c.reply.int(Math.floor(c.db.idleMs(c.args.str(2)) / 1000));
      },
    },
    {
      ...OBJECT_KEY,
      name: "refcount",
      since: "2.2.3",
      summary: "Reports how many references the server holds to a key's value.",
      complexity: "O(1)",
      run(c) {
        const v = objectTarget(c);
        if (v === undefined) return;
        c.reply.int(isSharedInt(c, v) ? SHARED_REFCOUNT : 1);
      },
    },
  ],
};
