// The operator's diagnostics: SLOWLOG, LATENCY, MONITOR and CONFIG REWRITE, plus observeCall(),
// the dispatcher's hook that feeds the slow log, the latency monitor and MONITOR after a command
// ran. The data lives in slowlog.ts, latency.ts and monitor.ts; the file writing in configfile.ts.
import { rewriteConfigFile } from "../configfile.ts";
import { nowUsec } from "../util/clock.ts";
import { slowlogArgv, type ArgSource } from "../slowlog.ts";
import { string2ll } from "../util/number.ts";
import { validClientAttr } from "./client.ts";
import type { Context } from "./context.ts";
import type { CommandFlag, CommandSpec } from "./spec.ts";
import type { Command } from "./table.ts";

// ---------------------------------------------------------------------------------------------
// What a MONITOR client may run

/**
 * Commands Redis 7.0 treats as may-replicate without listing the flag in COMMAND INFO (they may
 * publish, or change state that is replicated).
 */
const HIDDEN_MAY_REPLICATE: ReadonlySet<string> = new Set([
  "publish", "spublish", "pfcount", "eval", "evalsha", "fcall",
  "function|delete", "function|flush", "function|load", "function|restore",
]);

/** Matches Redis: a MONITOR client counts as a replica, refused reads, writes and may-replicate commands. */
export function touchesKeyspace(cmd: Command): boolean {
  return cmd.isWrite || cmd.isReadonly || cmd.spec.flags.includes("may_replicate") || HIDDEN_MAY_REPLICATE.has(cmd.fullName);
}

// ---------------------------------------------------------------------------------------------
// What the slow log and MONITOR see of a command

const REDACTED = "(redacted)";

/** Matches Redis 7.0: CONFIG SET hides the values of these parameters. */
const SENSITIVE_PARAMS: ReadonlySet<string> = new Set(["requirepass", "masterauth", "masteruser"]);

/**
 * The argument positions Redis replaces by "(redacted)" in the slow log and MONITOR: AUTH's
 * arguments, HELLO's AUTH username and password, CONFIG SET's sensitive values.
 */
export function redactedPositions(c: Context, cmd: Command): number[] | null {
  const a = c.args;
  const argc = a.argc;
  switch (cmd.fullName) {
    case "auth": {
      const out: number[] = [];
      for (let i = 1; i < argc; i++) out.push(i);
      return out;
    }
    case "hello": {
      // Options are read in order once the protocol version is valid; reading stops at the first
      // bad option (a bad SETNAME too), leaving later AUTH arguments in the clear.
      if (argc < 2 || (a.str(1) !== "2" && a.str(1) !== "3")) return null;
      const out: number[] = [];
      for (let j = 2; j < argc; j++) {
        const more = argc - 1 - j;
        if (a.is(j, "auth") && more >= 2) {
          out.push(j + 1, j + 2);
          j += 2;
        } else if (a.is(j, "setname") && more >= 1 && validClientAttr(a.str(j + 1))) {
          j++;
        } else {
          break;
        }
      }
      return out.length === 0 ? null : out;
    }
    case "config|set": {
      if ((argc - 2) % 2 !== 0) return null;
      let out: number[] | null = null;
      for (let i = 2; i < argc; i += 2) if (SENSITIVE_PARAMS.has(a.str(i).toLowerCase())) (out ??= []).push(i + 1);
      return out;
    }
    default:
      return null;
  }
}

/** The running command's arguments as an ArgSource, with redacted positions replaced. */
function argSource(c: Context, redacted: readonly number[] | null): ArgSource {
  const a = c.args;
  return {
    argc: a.argc,
    prefix: (i, max) => {
      if (redacted !== null && redacted.includes(i)) return REDACTED;
      const len = a.len(i);
      return len <= max ? a.str(i) : a.str(i).slice(0, max);
    },
    len: (i) => (redacted !== null && redacted.includes(i) ? REDACTED.length : a.len(i)),
  };
}

/**
 * The dispatcher's hook after a command ran for us microseconds (called only when it may matter:
 * a latency spike, a slow command, someone monitoring, or a command that blocked). Matches Redis's call(): the latency
 * monitor sees every command ("fast-command" for fast ones); the slow log skips skip_slowlog
 * commands (EXEC: its commands are logged one by one) and logs a blocked command once served;
 * MONITOR skips admin and skip_monitor commands and shows the db selected after the command.
 */
export function observeCall(c: Context, cmd: Command, us: number): void {
  const srv = c.server;
  const flags = cmd.spec.flags;
  if (us >= srv.latency.thresholdUs) {
    srv.latency.add(flags.includes("fast") ? "fast-command" : "command", Math.floor(us / 1000), Math.floor(srv.clock.now() / 1000));
  }
  // A client that blocks again has nothing older waiting to be logged (its last wait timed out).
  if (c.blocked) srv.slowlog.forget(c.id);
  const slow = us >= srv.slowlog.slowerThan && !flags.includes("skip_slowlog");
  const shown = srv.monitors.active && !flags.includes("admin") && !flags.includes("skip_monitor");
  if (!slow && !shown) return;
  const redacted = redactedPositions(c, cmd);
  if (slow) {
    const argv = slowlogArgv(argSource(c, redacted));
    if (c.blocked) srv.slowlog.defer(c.id, argv, us);
    else srv.slowlog.push(argv, us, Math.floor(srv.clock.now() / 1000), c.addr, c.name);
  }
  if (shown) {
    const argv = c.args.toStrings();
    if (redacted !== null) for (const i of redacted) argv[i] = REDACTED;
    srv.monitors.feed(nowUsec(srv.clock), c.db.id, c.addr, argv);
  }
}

/**
 * Redis's HELP reply (as replyHelp in server.ts, which this file cannot import: server.ts
 * imports configRewriteCommand from here).
 */
function help(c: Context, cmd: string, lines: readonly string[]): void {
  c.reply.array(lines.length + 3);
  c.reply.simple(`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.reply.simple(l);
  c.reply.simple("HELP");
  c.reply.simple("    Prints this help.");
}

// ---------------------------------------------------------------------------------------------
// SLOWLOG

const SLOWLOG_HELP = [
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
];

function slowlogGet(c: Context): void {
  const argc = c.args.argc;
  if (argc > 3) {
    return c.error(`ERR unknown subcommand or wrong number of arguments for '${c.args.str(1)}'. Try SLOWLOG HELP.`);
  }
  let count = 10;
  if (argc === 3) {
    const v = string2ll(c.args.str(2));
    if (v === null || v < -1) return c.error("ERR count should be greater than or equal to -1");
    count = typeof v === "bigint" ? -1 : v;
  }
  const entries = c.server.slowlog.newest(count);
  const r = c.reply;
  r.array(entries.length);
  for (const e of entries) {
    r.array(6);
    r.int(e.id);
    r.int(e.time);
    r.int(e.usec);
    r.bulkArray(e.argv);
    r.bulk(e.addr);
    r.bulk(e.name);
  }
}

// ---------------------------------------------------------------------------------------------
// LATENCY

// DOCTOR and GRAPH (a prose report and an ASCII chart) are not implemented: they answer as
// unknown subcommands, and HELP does not list them.
const LATENCY_HELP = [
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
];

function latencyLatest(c: Context): void {
  const r = c.reply;
  const events = [...c.server.latency.events()].filter(([, s]) => s.samples.length > 0);
  r.array(events.length);
  for (const [name, s] of events) {
    const last = s.samples[s.samples.length - 1]!;
    r.array(4);
    r.bulk(name);
    r.int(last.time);
    r.int(last.latency);
    r.int(s.max);
  }
}

function latencyHistory(c: Context): void {
  const s = c.server.latency.series(c.args.str(2));
  const r = c.reply;
  if (s === undefined) return r.array(0);
  r.array(s.samples.length);
  for (const x of s.samples) {
    r.array(2);
    r.int(x.time);
    r.int(x.latency);
  }
}

function latencyReset(c: Context): void {
  c.reply.int(c.server.latency.reset(c.args.argc === 2 ? null : c.args.toStrings(2)));
}

/** One command's entry: name → {calls, histogram_usec → {bound: cumulative calls}}. */
function replyHistogram(c: Context, cmd: Command): void {
  const r = c.reply;
  const h = cmd.stats.latency!;
  r.bulk(cmd.fullName);
  r.map(2);
  r.bulk("calls");
  r.int(cmd.stats.calls);
  r.bulk("histogram_usec");
  const buckets = h.cumulativeUsec();
  r.map(buckets.length);
  for (const [bound, n] of buckets) {
    r.int(bound);
    r.int(n);
  }
}

/**
 * Matches Redis: with no names every command with a histogram; a name (or "container|sub") gives
 * that command and, for a container, each subcommand with a histogram. Unknown names are skipped
 * and repeated names repeat.
 */
function latencyHistogram(c: Context): void {
  const table = c.server.table;
  const picked: Command[] = [];
  const has = (cmd: Command) => cmd.stats.latency !== null && cmd.stats.latency.total > 0;
  if (c.args.argc === 2) {
    for (const cmd of table.all()) if (has(cmd)) picked.push(cmd);
  } else {
    for (let i = 2; i < c.args.argc; i++) {
      const cmd = table.byFullName(c.args.str(i));
      if (cmd === undefined) continue;
      if (has(cmd)) picked.push(cmd);
      if (cmd.subs !== null) for (const sub of cmd.subs.values()) if (has(sub)) picked.push(sub);
    }
  }
  c.reply.map(picked.length);
  for (const cmd of picked) replyHistogram(c, cmd);
}

// ---------------------------------------------------------------------------------------------
// MONITOR

function monitor(c: Context): void {
  // Matches Redis: refused inside EXEC (a transaction expects one reply per command).
  if (c.denyBlocking) return c.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  // Matches Redis: MONITOR from a monitor is ignored, without a reply.
  if (c.monitor) return;
  c.server.monitors.add(c);
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// CONFIG REWRITE (registered under CONFIG in server.ts)

function configRewrite(c: Context): void {
  const srv = c.server;
  if (srv.config.file === "" || srv.config.file === "-") return c.error("ERR The server is running without a config file");
  const err = rewriteConfigFile(srv.config);
  if (err !== null) {
    srv.log.warning(`CONFIG REWRITE failed: ${err}`);
    return c.error(`ERR Rewriting config file: ${err}`);
  }
  srv.log.warning("CONFIG REWRITE executed with success.");
  c.reply.ok();
}

const ADMIN: readonly CommandFlag[] = ["admin", "loading", "stale"];
const ADMIN_NOSCRIPT: readonly CommandFlag[] = ["admin", "noscript", "loading", "stale"];
const HELP_FLAGS: readonly CommandFlag[] = ["loading", "stale"];

export const configRewriteCommand: CommandSpec = {
  name: "rewrite",
  arity: 2,
  flags: ADMIN_NOSCRIPT,
  group: "server",
  since: "2.8.0",
  summary: "Writes the running configuration back into the configuration file.",
  complexity: "O(1)",
  run: configRewrite,
};

function latencySub(name: string, arity: number, tips: readonly string[], summary: string, run: (c: Context) => void): CommandSpec {
  return { name, arity, flags: ADMIN_NOSCRIPT, tips, group: "server", since: "2.8.13", summary, run };
}

const LATENCY_TIPS = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"];

export const diagnosticsCommands: readonly CommandSpec[] = [
  {
    name: "slowlog",
    arity: -2,
    flags: [],
    group: "server",
    since: "2.2.12",
    summary: "A container for slow log commands.",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "get",
        arity: -2,
        flags: ADMIN,
        tips: ["request_policy:all_nodes", "nondeterministic_output"],
        group: "server",
        since: "2.2.12",
        summary: "Returns the newest entries of the slow log.",
        complexity: "O(N) where N is the number of entries returned",
        args: [{ name: "count", type: "integer", flags: ["optional"] }],
        run: slowlogGet,
      },
      {
        name: "len",
        arity: 2,
        flags: ADMIN,
        tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
        group: "server",
        since: "2.2.12",
        summary: "Returns the number of entries in the slow log.",
        complexity: "O(1)",
        run: (c) => c.reply.int(c.server.slowlog.length),
      },
      {
        name: "reset",
        arity: 2,
        flags: ADMIN,
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "server",
        since: "2.2.12",
        summary: "Empties the slow log.",
        complexity: "O(N) where N is the number of entries in the slowlog",
        run(c) {
          c.server.slowlog.reset();
          c.reply.ok();
        },
      },
      {
        name: "help",
        arity: 2,
        flags: HELP_FLAGS,
        group: "server",
        since: "6.2.0",
        summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        run: (c) => help(c, "SLOWLOG", SLOWLOG_HELP),
      },
    ],
  },
  {
    name: "latency",
    arity: -2,
    flags: [],
    group: "server",
    since: "2.8.13",
    summary: "A container for latency diagnostics commands.",
    complexity: "Depends on subcommand.",
    subcommands: [
      latencySub("latest", 2, LATENCY_TIPS, "Returns the latest latency sample of every event.", latencyLatest),
      latencySub("history", 3, LATENCY_TIPS, "Returns the latency samples kept for one event.", latencyHistory),
      latencySub(
        "reset",
        -2,
        ["request_policy:all_nodes", "response_policy:all_succeeded"],
        "Forgets the latency samples of some or all events.",
        latencyReset,
      ),
      {
        ...latencySub("histogram", -2, LATENCY_TIPS, "Returns per-command cumulative latency distributions.", latencyHistogram),
        since: "7.0.0",
        args: [{ name: "command", type: "string", flags: ["optional", "multiple"] }],
      },
      {
        name: "help",
        arity: 2,
        flags: HELP_FLAGS,
        group: "server",
        since: "2.8.13",
        summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        run: (c) => help(c, "LATENCY", LATENCY_HELP),
      },
    ],
  },
  {
    name: "monitor",
    arity: 1,
    flags: ADMIN_NOSCRIPT,
    group: "server",
    since: "1.0.0",
    summary: "Streams every command the server runs, as it runs it.",
    run: monitor,
  },
];
