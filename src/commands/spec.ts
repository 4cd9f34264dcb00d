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
  | "allow_busy";

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
