// How a command is declared: name, arity, flags, key positions, ACL categories, handler.
// Pure declarations and derived facts (COMMAND INFO fields); the table and dispatcher use them.
import type { Context } from "./context.ts";

export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "no_multi"
  | "movablekeys"
  | "allow_busy"
  | "no_async_loading";

export type AclCategory =
  | "keyspace"
  | "read"
  | "write"
  | "set"
  | "sortedset"
  | "list"
  | "hash"
  | "string"
  | "bitmap"
  | "hyperloglog"
  | "geo"
  | "stream"
  | "pubsub"
  | "admin"
  | "fast"
  | "slow"
  | "blocking"
  | "dangerous"
  | "connection"
  | "transaction"
  | "scripting";

/** Redis's ACL category order (COMMAND INFO lists categories in this order). */
export const ACL_ORDER: readonly AclCategory[] = [
  "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
  "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
  "connection", "transaction", "scripting",
];

export type CommandGroup =
  | "generic" | "string" | "list" | "set" | "sorted-set" | "hash" | "pubsub" | "transactions"
  | "connection" | "server" | "scripting" | "hyperloglog" | "cluster" | "geo" | "stream" | "bitmap";

export type Handler = (c: Context) => void;

/** Key-spec flags as COMMAND INFO reports them (access type and logical operation). */
export type KeySpecFlag =
  | "RO" | "RW" | "OW" | "RM"
  | "access" | "update" | "insert" | "delete"
  | "not_key" | "incomplete" | "variable_flags";

/** Where the search for keys starts: a fixed argument index, or after a keyword. */
export type BeginSearch =
  | { readonly index: number }
  | { readonly keyword: string; readonly startFrom: number }
  | { readonly unknown: true };

/** How keys are found from there: a range, or a count argument followed by the keys. */
export type FindKeys =
  | { readonly range: readonly [lastKey: number, keyStep: number, limit: number] }
  | { readonly keynum: readonly [keyNumIdx: number, firstKey: number, keyStep: number] }
  | { readonly unknown: true };

/** Redis 7's key specification (COMMAND INFO, COMMAND GETKEYS). */
export interface KeySpec {
  readonly flags: readonly KeySpecFlag[];
  readonly begin: BeginSearch;
  readonly find: FindKeys;
  readonly notes?: string;
}

/** One documented argument (COMMAND DOCS "arguments"). */
export interface ArgDoc {
  readonly name: string;
  readonly type: "string" | "integer" | "double" | "key" | "pattern" | "unix-time" | "pure-token" | "oneof" | "block";
  readonly token?: string;
  readonly since?: string;
  readonly flags?: readonly ("optional" | "multiple" | "multiple_token")[];
  readonly keySpecIndex?: number;
  readonly arguments?: readonly ArgDoc[];
}

export interface CommandSpec {
  /** Lowercase name; a subcommand's name is its own word ("get" under "config"). */
  readonly name: string;
  /** Exact argc when positive; at least -arity when negative (argv[0] included). */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** First key position, last (negative counts from the end), step; 0,0,0 when keyless. */
  readonly keys?: readonly [first: number, last: number, step: number];
  /** ACL categories beyond those implied by flags. */
  readonly acl?: readonly AclCategory[];
  readonly group: CommandGroup;
  readonly since: string;
  readonly summary: string;
  readonly complexity?: string;
  /** Flags of the key spec derived from `keys` (default: RO access, or RW update for writes). */
  readonly keyFlags?: readonly KeySpecFlag[];
  /** Full key specs, when one derived from `keys` does not describe the command. */
  readonly keySpecs?: readonly KeySpec[];
  /** Command tips ("nondeterministic_output", "request_policy:all_nodes", …). */
  readonly tips?: readonly string[];
  /** COMMAND DOCS arguments, where declared. */
  readonly args?: readonly ArgDoc[];
  /** Absent on container commands (those with subcommands). */
  readonly run?: Handler;
  readonly subcommands?: readonly CommandSpec[];
}

/** Categories as Redis reports them: declared ones plus those implied by flags, in Redis's order. */
export function aclCategories(spec: CommandSpec): AclCategory[] {
  const set = new Set<AclCategory>(spec.acl ?? []);
  const f = spec.flags;
  if (f.includes("write")) set.add("write");
  if (f.includes("readonly") && !set.has("scripting")) set.add("read");
  if (f.includes("admin")) {
    set.add("admin");
    set.add("dangerous");
  }
  if (f.includes("pubsub")) set.add("pubsub");
  if (f.includes("fast")) set.add("fast");
  if (f.includes("blocking")) set.add("blocking");
  if (!f.includes("fast")) set.add("slow");
  return ACL_ORDER.filter((c) => set.has(c));
}
