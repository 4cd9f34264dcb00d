// Server commands: INFO, TIME, CONFIG (GET SET RESETSTAT HELP) and DEBUG.
// Values and validation live in config.ts, INFO's text in info.ts; here only argv and replies.
import { E } from "../errors.ts";
import { PARAM_NAMES, paramDef } from "../config.ts";
import { buildInfo, selectSections } from "../info.ts";
import { nowUsec } from "../util/clock.ts";
import { isStringValue, storeString, stringEncoding, strOf, type StringValue } from "../types/bytestring.ts";
import type { Value } from "../types/value.ts";
import { string2ll } from "../util/number.ts";
import { globMatch } from "../util/glob.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { configRewriteCommand } from "./diagnostics.ts";

/** Redis's HELP reply: the title line, then each line as a status reply. */
export function replyHelp(c: Context, cmd: string, lines: readonly string[]): void {
  c.reply.array(lines.length + 3);
  c.reply.simple(`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.reply.simple(l);
  c.reply.simple("HELP");
  c.reply.simple("    Prints this help.");
}

/** A client on the loopback interface or a unix socket (enable-debug-command local). */
export function isLocalClient(c: Context): boolean {
  const a = c.addr;
  return a.startsWith("127.") || a.startsWith("::1:") || a.startsWith("[::1]") || a.startsWith("/") || a === "";
}

// ---------------------------------------------------------------------------------------------
// CONFIG

function configGet(c: Context): void {
  // Matches Redis: an exact name is reported as spelled; glob matches use the listed names;
  // each name appears once (compared case-insensitively, first spelling wins).
  const found = new Map<string, [string, string]>();
  const cfg = c.server.config;
  for (let i = 2; i < c.args.argc; i++) {
    const pat = c.args.str(i);
    const exact = paramDef(pat);
    if (exact) {
      const k = pat.toLowerCase();
      if (!found.has(k)) found.set(k, [pat, cfg.display(exact)]);
      continue;
    }
    for (const [name, def] of PARAM_NAMES) {
      if (!found.has(name) && globMatch(pat, name, true)) found.set(name, [name, cfg.display(def)]);
    }
  }
  c.reply.map(found.size);
  for (const [name, value] of found.values()) {
    c.reply.bulk(name);
    c.reply.bulk(value);
  }
}

function configSet(c: Context): void {
  const argc = c.args.argc;
  if ((argc - 2) % 2 !== 0) return c.error(E.syntax);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argc; i += 2) pairs.push([c.args.str(i), c.args.str(i + 1)]);
  const err = c.server.config.setMany(pairs, isLocalClient(c));
  if (err !== null) return c.error(err);
  c.reply.ok();
}

function configResetStat(c: Context): void {
  const srv = c.server;
  srv.stats.reset();
  for (const cmd of srv.table.all()) cmd.stats.reset();
  c.reply.ok();
}

const CONFIG_HELP = [
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
];

const ADMIN_SUB = ["admin", "noscript", "loading", "stale"] as const;

// ---------------------------------------------------------------------------------------------
// DEBUG

const DEBUG_DISABLED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

function debugSyntax(c: Context): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${c.args.str(1)}'. Try DEBUG HELP.`);
}

/** C's atoi: optional spaces and sign, then digits; anything else ends it (0 if none). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m ? Number(m[1]) | 0 : 0;
}

/** C's strtod prefix parse as DEBUG SLEEP uses it: the longest leading number, else 0. */
function strtodPrefix(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Bytes of an RDB length prefix. */
function rdbLenBytes(n: number): number {
  if (n < 1 << 6) return 1;
  if (n < 1 << 14) return 2;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** RDB size of a string: integers that fit 32 bits are stored in 2, 3 or 5 bytes. */
function rdbStringLen(s: string): number {
  if (s.length <= 11 && /^-?(0|[1-9][0-9]*)$/.test(s) && s !== "-0") {
    const n = Number(s);
    if (n >= -128 && n <= 127) return 2;
    if (n >= -32768 && n <= 32767) return 3;
    if (n >= -2147483648 && n <= 2147483647) return 5;
  }
  // Redis may LZF-compress strings over 20 bytes; we do not compress, so this is an upper bound.
  return rdbLenBytes(s.length) + s.length;
}

/** Bytes one element takes inside a listpack (encoding, data and back-length). */
function listpackEntryLen(s: string): number {
  let enc: number;
  if (s.length <= 20 && /^-?(0|[1-9][0-9]*)$/.test(s) && s !== "-0") {
    const v = BigInt(s);
    if (v >= 0n && v <= 127n) enc = 1;
    else if (v >= -4096n && v <= 4095n) enc = 2;
    else if (v >= -32768n && v <= 32767n) enc = 3;
    else if (v >= -8388608n && v <= 8388607n) enc = 4;
    else if (v >= -2147483648n && v <= 2147483647n) enc = 5;
    else enc = 9;
  } else {
    const l = s.length;
    enc = (l <= 63 ? 1 : l <= 4095 ? 2 : 5) + l;
  }
  const back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}

/** Listpack sizes of the nodes a quicklist with this fill setting would hold. */
function quicklistNodes(items: readonly string[], fill: number): number[] {
  const maxBytes = fill < 0 ? 4096 << (Math.min(-fill, 5) - 1) : 8192;
  const maxCount = fill > 0 ? fill : Infinity;
  const nodes: number[] = [];
  let size = 0;
  let count = 0;
  for (const s of items) {
    const e = listpackEntryLen(s);
    if (count > 0 && (size + e > maxBytes || count + 1 > maxCount)) {
      nodes.push(size);
      size = 0;
      count = 0;
    }
    if (count === 0) size = 7;
    size += e;
    count++;
  }
  if (count > 0) nodes.push(size);
  return nodes;
}

/** DEBUG OBJECT's extra quicklist fields. */
function quicklistInfo(items: readonly string[], fill: number, compressDepth: number): string {
  const nodes = quicklistNodes(items, fill);
  const total = nodes.reduce((a, b) => a + b, 0);
  const avg = nodes.length === 0 ? 0 : items.length / nodes.length;
  // Nodes are never compressed here: compression would only change sizes, not contents.
  void compressDepth;
  return ` ql_nodes:${nodes.length} ql_avg_node:${avg.toFixed(2)} ql_listpack_max:${fill} ql_compressed:0 ql_uncompressed_size:${total}`;
}

interface Iterates {
  toArray?: () => string[];
}

/**
 * Our best estimate of the RDB serialisation of a value (DEBUG OBJECT serializedlength): exact
 * for strings short of LZF compression, a listpack-based estimate for lists; other types report
 * the size of their elements written as RDB strings.
 */
export function serializedLength(v: Value, listFill = -2): number {
  if (isStringValue(v)) return rdbStringLen(typeof v === "number" ? String(v) : strOf(v));
  const items = (v as Iterates).toArray?.();
  if (v.type === "list" && items) {
    // A quicklist: node count, then per node its container type and its listpack as a string.
    const nodes = quicklistNodes(items, listFill);
    let n = rdbLenBytes(nodes.length);
    for (const lp of nodes) n += 1 + rdbLenBytes(lp) + lp;
    return n;
  }
  if (items) {
    let n = rdbLenBytes(items.length);
    for (const s of items) n += rdbStringLen(s);
    return n;
  }
  return 0;
}

/** A stable pseudo address for DEBUG OBJECT (JavaScript values have none we can show). */
function pseudoAddress(dbId: number, key: string): string {
  const h = BigInt.asUintN(40, BigInt(Bun.hash(key, dbId)));
  return "0x7f" + h.toString(16).padStart(10, "0");
}

function debugObject(c: Context): void {
  const key = c.args.str(2);
  const v = c.db.peek(key);
  if (v === undefined) return c.error(E.noSuchKey);
  const now = c.server.clock.now();
  const idleMs = c.db.idleMs(key);
  const lru = Math.floor((now - idleMs) / 1000) & 0xffffff;
  const enc = isStringValue(v) ? stringEncoding(v as StringValue) : v.encoding();
  // Matches Redis: integers below 10000 are shared objects with a pinned refcount.
  const shared = enc === "int" && typeof v === "number" && v >= 0 && v < 10000;
  c.reply.simple(
    `Value at:${pseudoAddress(c.db.id, key)} refcount:${shared ? 2147483647 : 1} encoding:${enc} ` +
      `serializedlength:${serializedLength(v, c.server.config.num("list-max-listpack-size"))} lru:${lru} lru_seconds_idle:${Math.floor(idleMs / 1000)}` +
      (enc === "quicklist" ? quicklistInfo((v as Iterates).toArray?.() ?? [], c.server.config.num("list-max-listpack-size"), 0) : ""),
  );
}

function debugPopulate(c: Context): void {
  const argc = c.args.argc;
  const count = string2ll(c.args.str(2));
  if (count === null || count < 0) return c.error(E.notPositive);
  const prefix = argc >= 4 ? c.args.str(3) : "key";
  let size = 0;
  if (argc === 5) {
    const s = string2ll(c.args.str(4));
    if (s === null || s < 0) return c.error(E.notPositive);
    size = Number(s);
  }
  const db = c.db;
  const n = Number(count);
  for (let i = 0; i < n; i++) {
    const key = `${prefix}:${i}`;
    if (db.peek(key) !== undefined) continue;
    let val = `value:${i}`;
    if (size > 0) val = val.length >= size ? val.slice(0, size) : val + "\0".repeat(size - val.length);
    db.set(key, storeString(val));
  }
  c.reply.ok();
}

const PROTOCOL_TYPES = "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";
const enc = (s: string) => Buffer.from(s, "latin1");

function debugProtocol(c: Context): void {
  const t = c.args.str(2).toLowerCase();
  const r = c.reply;
  const resp3 = r.proto === 3;
  switch (t) {
    case "string": return r.bulk("Hello World");
    case "integer": return r.int(12345);
    case "double": return r.double(3.141);
    case "bignum":
      if (resp3) return r.raw(enc("(1234567999999999999999999999999999999\r\n"));
      return r.bulk("1234567999999999999999999999999999999");
    case "null": return r.nil();
    case "array":
      r.array(3);
      for (let i = 0; i < 3; i++) r.int(i);
      return;
    case "set":
      r.set(3);
      for (let i = 0; i < 3; i++) r.int(i);
      return;
    case "map":
      r.map(3);
      for (let i = 0; i < 3; i++) {
        r.int(i);
        r.bool(i === 1);
      }
      return;
    case "attrib":
      if (resp3) {
        r.raw(enc("|1\r\n"));
        r.bulk("key-popularity");
        r.array(2);
        r.bulk("key:123");
        r.int(90);
      }
      return r.bulk("Some real reply following the attribute");
    case "push":
      if (!resp3) return c.error("ERR RESP2 is not supported by this command");
      r.push(2);
      r.bulk("server-cpu-usage");
      r.int(42);
      return r.bulk("Some real reply following the push reply");
    case "verbatim": return r.verbatim("This is a verbatim\nstring");
    case "true": return r.bool(true);
    case "false": return r.bool(false);
    default:
      return c.error(`ERR Wrong protocol type name. Please use one of the following: ${PROTOCOL_TYPES}`);
  }
}

const DEBUG_HELP = [
  "ERROR <string>",
  "    Reply with an error carrying <string> as its message (for testing clients).",
  "LOG <message>",
  "    Write <message> to the server log.",
  "OBJECT <key>",
  "    Show low level information about the value stored at <key>.",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named <prefix>:<num> ('key' by default) holding",
  "    'value:<num>', padded or cut to <size> bytes when given. Existing keys are kept.",
  "PROTOCOL <type>",
  "    Reply with a sample value of <type>: string, integer, double, bignum, null,",
  "    array, set, map, attrib, push, verbatim, true or false.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    0 stops expiring keys in the background (they still expire when accessed); 1",
  "    turns it back on.",
  "RELOAD [MERGE] [NOFLUSH] [NOSAVE]",
  "    Save the dataset to the dump file, empty it and load the file back. NOFLUSH",
  "    loads without emptying first (a key in both then fails, unless MERGE: the",
  "    loaded one wins); NOSAVE loads the existing file without saving.",
  "SLEEP <seconds>",
  "    Stop the whole server for <seconds> (decimals allowed).",
];

function debug(c: Context): void {
  if (!c.server.config.allows("enable-debug-command", isLocalClient(c))) return c.error(DEBUG_DISABLED);
  const argc = c.args.argc;
  const a = c.args;
  if (a.is(1, "help") && argc === 2) return replyHelp(c, "DEBUG", DEBUG_HELP);
  if (a.is(1, "sleep") && argc === 3) {
    const secs = strtodPrefix(a.str(2));
    if (secs > 0) Bun.sleepSync(secs * 1000);
    c.server.clock.refresh?.();
    return c.reply.ok();
  }
  if (a.is(1, "set-active-expire") && argc === 3) {
    c.server.activeExpireEnabled = atoi(a.str(2)) !== 0;
    return c.reply.ok();
  }
  if (a.is(1, "object") && argc === 3) return debugObject(c);
  if (a.is(1, "populate") && argc >= 3 && argc <= 5) return debugPopulate(c);
  if (a.is(1, "protocol") && argc === 3) return debugProtocol(c);
  if (a.is(1, "log") && argc === 3) {
    c.server.log.warning(`DEBUG LOG: ${a.str(2)}`);
    return c.reply.ok();
  }
  if (a.is(1, "error") && argc === 3) return c.error(a.str(2));
  if (a.is(1, "reload")) return debugReload(c);
  debugSyntax(c);
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the dataset and load the dump again. */
function debugReload(c: Context): void {
  let merge = false;
  let flush = true;
  let save = true;
  for (let i = 2; i < c.args.argc; i++) {
    if (c.args.is(i, "merge")) merge = true;
    else if (c.args.is(i, "noflush")) flush = false;
    else if (c.args.is(i, "nosave")) save = false;
    else return c.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
  }
  const err = c.server.rdb.debugReload(merge, flush, save);
  if (err !== null) return c.error(err);
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------

export const serverCommands: readonly CommandSpec[] = [
  {
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    acl: ["dangerous"],
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    group: "server",
    since: "1.0.0",
    summary: "Returns information and statistics about the server.",
    complexity: "O(1)",
    args: [{ name: "section", type: "string", flags: ["optional", "multiple"] }],
    run(c) {
      const sections = selectSections(c.args.toStrings(1));
      c.reply.verbatim(buildInfo(c.server, sections));
    },
  },
  {
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    tips: ["nondeterministic_output"],
    group: "server",
    since: "2.6.0",
    summary: "Returns the server time.",
    complexity: "O(1)",
    run(c) {
      const us = nowUsec(c.server.clock);
      c.reply.array(2);
      c.reply.bulk(String(Math.floor(us / 1e6)));
      c.reply.bulk(String(us % 1e6));
    },
  },
  {
    name: "config",
    arity: -2,
    flags: [],
    group: "server",
    since: "2.0.0",
    summary: "A container for server configuration commands.",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "get",
        arity: -3,
        flags: ADMIN_SUB,
        group: "server",
        since: "2.0.0",
        summary: "Returns the effective values of configuration parameters.",
        complexity: "O(N) when N is the number of configuration parameters provided",
        args: [
          { name: "parameter", type: "block", flags: ["multiple"], arguments: [{ name: "parameter", type: "string" }] },
        ],
        run: configGet,
      },
      {
        name: "set",
        arity: -4,
        flags: ADMIN_SUB,
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "server",
        since: "2.0.0",
        summary: "Sets configuration parameters in-flight.",
        complexity: "O(N) when N is the number of configuration parameters provided",
        args: [
          {
            name: "parameter_value",
            type: "block",
            flags: ["multiple"],
            arguments: [
              { name: "parameter", type: "string" },
              { name: "value", type: "string" },
            ],
          },
        ],
        run: configSet,
      },
      {
        name: "resetstat",
        arity: 2,
        flags: ADMIN_SUB,
        group: "server",
        since: "2.0.0",
        summary: "Resets the server's statistics.",
        complexity: "O(1)",
        run: configResetStat,
      },
      configRewriteCommand,
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        group: "server",
        since: "5.0.0",
        summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        run: (c) => replyHelp(c, "CONFIG", CONFIG_HELP),
      },
    ],
  },
  {
    name: "debug",
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    since: "1.0.0",
    summary: "A container for debugging commands.",
    complexity: "Depends on subcommand.",
    run: debug,
  },
];
