// COMMAND and its subcommands (COUNT INFO DOCS LIST GETKEYS GETKEYSANDFLAGS HELP), answered
// from the command table's declared specs: introspection only, never runs the command asked about.
import { E } from "../errors.ts";
import { globMatch } from "../util/glob.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import { ACL_ORDER, aclCategories, type ArgDoc, type AclCategory, type CommandSpec, type KeySpec, type KeySpecFlag } from "./spec.ts";
import type { Command } from "./table.ts";
import { replyHelp } from "./server.ts";

/** The key specs of a command: declared ones, or one derived from its first/last/step. */
export function keySpecsOf(spec: CommandSpec): readonly KeySpec[] {
  if (spec.keySpecs) return spec.keySpecs;
  const k = spec.keys;
  if (!k || k[0] <= 0) return [];
  const [first, last, step] = k;
  const flags: readonly KeySpecFlag[] =
    spec.keyFlags ?? (spec.flags.includes("write") ? ["RW", "update"] : ["RO", "access"]);
  return [{ flags, begin: { index: first }, find: { range: [last >= 0 ? last - first : last, step, 0] } }];
}

// ---------------------------------------------------------------------------------------------
// COMMAND INFO

function replyKeySpec(c: Context, ks: KeySpec): void {
  const r = c.reply;
  r.map(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    r.bulk("notes");
    r.bulk(ks.notes);
  }
  r.bulk("flags");
  r.set(ks.flags.length);
  for (const f of ks.flags) r.simple(f);
  r.bulk("begin_search");
  r.map(2);
  r.bulk("type");
  const b = ks.begin;
  if ("index" in b) {
    r.bulk("index");
    r.bulk("spec");
    r.map(1);
    r.bulk("index");
    r.int(b.index);
  } else if ("keyword" in b) {
    r.bulk("keyword");
    r.bulk("spec");
    r.map(2);
    r.bulk("keyword");
    r.bulk(b.keyword);
    r.bulk("startfrom");
    r.int(b.startFrom);
  } else {
    r.bulk("unknown");
    r.bulk("spec");
    r.map(0);
  }
  r.bulk("find_keys");
  r.map(2);
  r.bulk("type");
  const f = ks.find;
  if ("range" in f) {
    r.bulk("range");
    r.bulk("spec");
    r.map(3);
    r.bulk("lastkey");
    r.int(f.range[0]);
    r.bulk("keystep");
    r.int(f.range[1]);
    r.bulk("limit");
    r.int(f.range[2]);
  } else if ("keynum" in f) {
    r.bulk("keynum");
    r.bulk("spec");
    r.map(3);
    r.bulk("keynumidx");
    r.int(f.keynum[0]);
    r.bulk("firstkey");
    r.int(f.keynum[1]);
    r.bulk("keystep");
    r.int(f.keynum[2]);
  } else {
    r.bulk("unknown");
    r.bulk("spec");
    r.map(0);
  }
}

/** The order in which Redis lists command flags, whatever order a spec declares them in. */
const FLAG_ORDER: readonly string[] = [
  "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading",
  "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "may_replicate",
  "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys", "allow_busy",
];

/** A spec's flags in Redis's order (COMMAND INFO). */
export function orderedFlags(spec: CommandSpec): string[] {
  return [...spec.flags].sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b));
}

/** One COMMAND INFO entry, Redis 7's ten fields; subcommands nest as full entries. */
function replyCommandInfo(c: Context, cmd: Command): void {
  const r = c.reply;
  const s = cmd.spec;
  r.array(10);
  r.bulk(cmd.fullName);
  r.int(s.arity);
  const flags = orderedFlags(s);
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  const [first, last, step] = s.keys ?? [0, 0, 0];
  r.int(first);
  r.int(last);
  r.int(step);
  const cats = aclCategories(s);
  r.set(cats.length);
  for (const cat of cats) r.simple("@" + cat);
  const tips = s.tips ?? [];
  r.set(tips.length);
  for (const t of tips) r.bulk(t);
  const specs = keySpecsOf(s);
  r.set(specs.length);
  for (const ks of specs) replyKeySpec(c, ks);
  // Matches Redis 7.0: subcommands are an array, but "none" is an empty set.
  if (cmd.subs) {
    r.array(cmd.subs.size);
    for (const sub of cmd.subs.values()) replyCommandInfo(c, sub);
  } else {
    r.set(0);
  }
}

function commandInfo(c: Context, from: number): void {
  const table = c.server.table;
  if (c.args.argc <= from) {
    c.reply.array(table.byName.size);
    for (const cmd of table.byName.values()) replyCommandInfo(c, cmd);
    return;
  }
  c.reply.array(c.args.argc - from);
  for (let i = from; i < c.args.argc; i++) {
    const cmd = table.byFullName(c.args.str(i));
    if (cmd) replyCommandInfo(c, cmd);
    else c.reply.nil();
  }
}

// ---------------------------------------------------------------------------------------------
// COMMAND DOCS

function argDocFields(a: ArgDoc): number {
  let n = 2;
  if (a.type === "key") n++;
  if (a.token !== undefined) n++;
  if (a.since !== undefined) n++;
  if (a.flags && a.flags.length > 0) n++;
  if (a.arguments) n++;
  return n;
}

function replyArgDoc(c: Context, a: ArgDoc): void {
  const r = c.reply;
  r.map(argDocFields(a));
  r.bulk("name");
  r.bulk(a.name);
  r.bulk("type");
  r.bulk(a.type);
  if (a.type === "key") {
    r.bulk("key_spec_index");
    r.int(a.keySpecIndex ?? 0);
  }
  if (a.token !== undefined) {
    r.bulk("token");
    r.bulk(a.token);
  }
  if (a.since !== undefined) {
    r.bulk("since");
    r.bulk(a.since);
  }
  if (a.flags && a.flags.length > 0) {
    r.bulk("flags");
    r.set(a.flags.length);
    for (const f of a.flags) r.simple(f);
  }
  if (a.arguments) {
    r.bulk("arguments");
    r.array(a.arguments.length);
    for (const sub of a.arguments) replyArgDoc(c, sub);
  }
}

/** One COMMAND DOCS entry: what our spec declares (summary, since, group, complexity, …). */
function replyCommandDocs(c: Context, cmd: Command): void {
  const r = c.reply;
  const s = cmd.spec;
  let n = 3;
  if (s.complexity !== undefined) n++;
  if (s.args && s.args.length > 0) n++;
  if (cmd.subs) n++;
  r.map(n);
  r.bulk("summary");
  r.bulk(s.summary);
  r.bulk("since");
  r.bulk(s.since);
  r.bulk("group");
  r.bulk(s.group);
  if (s.complexity !== undefined) {
    r.bulk("complexity");
    r.bulk(s.complexity);
  }
  if (s.args && s.args.length > 0) {
    r.bulk("arguments");
    r.array(s.args.length);
    for (const a of s.args) replyArgDoc(c, a);
  }
  if (cmd.subs) {
    r.bulk("subcommands");
    r.map(cmd.subs.size);
    for (const sub of cmd.subs.values()) {
      r.bulk(sub.fullName);
      replyCommandDocs(c, sub);
    }
  }
}

function commandDocs(c: Context): void {
  const table = c.server.table;
  const found: Command[] = [];
  if (c.args.argc <= 2) {
    for (const cmd of table.byName.values()) found.push(cmd);
  } else {
    // Matches Redis: names that are not commands are left out.
    for (let i = 2; i < c.args.argc; i++) {
      const cmd = table.byFullName(c.args.str(i));
      if (cmd) found.push(cmd);
    }
  }
  c.reply.map(found.length);
  for (const cmd of found) {
    c.reply.bulk(cmd.fullName);
    replyCommandDocs(c, cmd);
  }
}

// ---------------------------------------------------------------------------------------------
// COMMAND LIST

function commandList(c: Context): void {
  const argc = c.args.argc;
  let filter: (cmd: Command) => boolean = () => true;
  if (argc !== 2) {
    if (argc !== 5 || !c.args.is(2, "filterby")) return c.error(E.syntax);
    const value = c.args.str(4);
    if (c.args.is(3, "module")) {
      filter = () => false; // no modules are loaded
    } else if (c.args.is(3, "aclcat")) {
      const cat = value.toLowerCase();
      if (!(ACL_ORDER as readonly string[]).includes(cat)) filter = () => false;
      else filter = (cmd) => aclCategories(cmd.spec).includes(cat as AclCategory);
    } else if (c.args.is(3, "pattern")) {
      filter = (cmd) => globMatch(value, cmd.fullName, true);
    } else {
      return c.error(E.syntax);
    }
  }
  const names: string[] = [];
  for (const cmd of c.server.table.all()) if (filter(cmd)) names.push(cmd.fullName);
  c.reply.bulkArray(names);
}

// ---------------------------------------------------------------------------------------------
// COMMAND GETKEYS / GETKEYSANDFLAGS

interface FoundKey {
  index: number;
  flags: readonly KeySpecFlag[];
}

/** Keys of argv[from..] by the command's key specs; a string is Redis's error text. */
function keysOf(c: Context, from: number): FoundKey[] | string {
  const table = c.server.table;
  const argc = c.args.argc - from;
  const at = (i: number) => c.args.str(from + i);
  let cmd = table.byFullName(at(0));
  if (cmd && cmd.subs) {
    // Matches Redis: a container needs its subcommand to say which keys it takes.
    const sub = argc >= 2 ? cmd.subs.get(at(1).toLowerCase()) : undefined;
    if (sub === undefined) return "ERR Invalid command specified";
    cmd = sub;
  }
  if (!cmd || at(0).includes("|")) return "ERR Invalid command specified";
  if (!cmd.arityOk(argc)) return "ERR Invalid number of arguments specified for command";
  // Matches Redis: not_key specs (shard channels of SSUBSCRIBE/SPUBLISH) name no keys.
  const specs = keySpecsOf(cmd.spec).filter((s) => !s.flags.includes("not_key"));
  if (specs.length === 0 && !cmd.spec.flags.includes("movablekeys")) return "ERR The command has no key arguments";
  const out: FoundKey[] = [];
  for (const ks of specs) {
    const b = ks.begin;
    let start: number;
    if ("index" in b) {
      start = b.index;
    } else if ("keyword" in b) {
      start = -1;
      if (b.startFrom >= 0) {
        for (let i = b.startFrom; i < argc; i++) if (at(i).toLowerCase() === b.keyword.toLowerCase()) { start = i + 1; break; }
      } else {
        for (let i = argc + b.startFrom; i > 0; i--) if (at(i).toLowerCase() === b.keyword.toLowerCase()) { start = i + 1; break; }
      }
      if (start < 0) continue;
    } else {
      continue;
    }
    const f = ks.find;
    let first: number;
    let last: number;
    let step: number;
    if ("range" in f) {
      const [lastKey, keyStep, limit] = f.range;
      first = start;
      step = keyStep;
      if (lastKey >= 0) last = first + lastKey;
      else if (limit <= 1) last = argc + lastKey;
      else last = first + Math.floor((argc - first) / limit) + lastKey;
    } else if ("keynum" in f) {
      const [numIdx, firstKey, keyStep] = f.keynum;
      if (start + numIdx >= argc) return "ERR Invalid arguments specified for command";
      const n = string2ll(at(start + numIdx));
      if (n === null || n < 0) return "ERR Invalid arguments specified for command";
      if (n === 0) continue;
      first = start + firstKey;
      step = keyStep;
      last = first + (Number(n) - 1) * keyStep;
    } else {
      continue;
    }
    if (last >= argc || last < first) {
      if (ks.flags.includes("incomplete")) continue;
      return "ERR Invalid arguments specified for command";
    }
    for (let i = first; i <= last; i += step) out.push({ index: i, flags: ks.flags });
  }
  return out;
}

function commandGetKeys(c: Context, withFlags: boolean): void {
  const keys = keysOf(c, 2);
  if (typeof keys === "string") return c.error(keys);
  c.reply.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      c.reply.bulk(c.args.str(2 + k.index));
      continue;
    }
    c.reply.array(2);
    c.reply.bulk(c.args.str(2 + k.index));
    c.reply.set(k.flags.length);
    for (const f of k.flags) c.reply.simple(f);
  }
}

const COMMAND_HELP = [
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
];

const SUB = ["loading", "stale"] as const;
const NONDET_ORDER = ["nondeterministic_output_order"];

export const introspectionCommands: readonly CommandSpec[] = [
  {
    name: "command",
    arity: -1,
    flags: SUB,
    acl: ["connection"],
    tips: NONDET_ORDER,
    group: "server",
    since: "2.8.13",
    summary: "Returns detailed information about all commands.",
    complexity: "O(N) where N is the total number of Redis commands",
    run: (c) => commandInfo(c, 1),
    subcommands: [
      {
        name: "count",
        arity: 2,
        flags: SUB,
        acl: ["connection"],
        group: "server",
        since: "2.8.13",
        summary: "Returns a count of commands.",
        complexity: "O(1)",
        run: (c) => c.reply.int(c.server.table.byName.size),
      },
      {
        name: "info",
        arity: -2,
        flags: SUB,
        acl: ["connection"],
        tips: NONDET_ORDER,
        group: "server",
        since: "2.8.13",
        summary: "Returns information about one, multiple or all commands.",
        complexity: "O(N) where N is the number of commands to look up",
        args: [{ name: "command-name", type: "string", flags: ["optional", "multiple"] }],
        run: (c) => commandInfo(c, 2),
      },
      {
        name: "docs",
        arity: -2,
        flags: SUB,
        acl: ["connection"],
        tips: NONDET_ORDER,
        group: "server",
        since: "7.0.0",
        summary: "Returns documentary information about one, multiple or all commands.",
        complexity: "O(N) where N is the number of commands to look up",
        args: [{ name: "command-name", type: "string", flags: ["optional", "multiple"] }],
        run: commandDocs,
      },
      {
        name: "list",
        arity: -2,
        flags: SUB,
        acl: ["connection"],
        tips: NONDET_ORDER,
        group: "server",
        since: "7.0.0",
        summary: "Returns a list of command names.",
        complexity: "O(N) where N is the total number of Redis commands",
        args: [
          {
            name: "filterby",
            type: "oneof",
            token: "FILTERBY",
            flags: ["optional"],
            arguments: [
              { name: "module-name", type: "string", token: "MODULE" },
              { name: "category", type: "string", token: "ACLCAT" },
              { name: "pattern", type: "pattern", token: "PATTERN" },
            ],
          },
        ],
        run: commandList,
      },
      {
        name: "getkeys",
        arity: -4,
        flags: SUB,
        acl: ["connection"],
        group: "server",
        since: "2.8.13",
        summary: "Extracts the key names from an arbitrary command.",
        complexity: "O(N) where N is the number of arguments to the command",
        run: (c) => commandGetKeys(c, false),
      },
      {
        name: "getkeysandflags",
        arity: -4,
        flags: SUB,
        acl: ["connection"],
        group: "server",
        since: "7.0.0",
        summary: "Extracts the key names and access flags for an arbitrary command.",
        complexity: "O(N) where N is the number of arguments to the command",
        run: (c) => commandGetKeys(c, true),
      },
      {
        name: "help",
        arity: 2,
        flags: SUB,
        acl: ["connection"],
        group: "server",
        since: "5.0.0",
        summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        run: (c) => replyHelp(c, "COMMAND", COMMAND_HELP),
      },
    ],
  },
];
