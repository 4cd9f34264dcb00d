// Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's
// introspection. Only argv and replies here: the registry and the fan-out live in src/pubsub.ts,
// the subscribed-mode command filter in the dispatcher.
import type { Kind } from "../pubsub.ts";
import type { Context } from "./context.ts";
import { replyHelp } from "./server.ts";
import type { CommandFlag, CommandSpec, KeySpec } from "./spec.ts";

/** Confirmation names per kind: [subscribe, unsubscribe]. */
const NAMES: Record<Kind, readonly [string, string]> = {
  channel: ["subscribe", "unsubscribe"],
  pattern: ["psubscribe", "punsubscribe"],
  shard: ["ssubscribe", "sunsubscribe"],
};

/** The count a confirmation carries: channels + patterns, or shard channels alone (matches Redis 7.0). */
function countOf(c: Context, kind: Kind): number {
  const s = c.pubsub;
  if (s === null) return 0;
  return kind === "shard" ? s.shard.size : s.count;
}

/** One confirmation: [kind, name (nil when there was nothing to unsubscribe from), count], a push in RESP3. */
function confirm(c: Context, what: string, name: string | null, count: number): void {
  const r = c.reply;
  r.push(3);
  r.bulk(what);
  if (name === null) r.nil();
  else r.bulk(name);
  r.int(count);
}

function subscribe(c: Context, kind: Kind): void {
  // Matches Redis 7.0.15: confirmations are pushes and get through CLIENT REPLY OFF/SKIP.
  c.muted = false;
  const ps = c.server.pubsub;
  const what = NAMES[kind][0];
  for (let i = 1; i < c.args.argc; i++) {
    const name = c.args.str(i);
    ps.subscribe(c, kind, name);
    confirm(c, what, name, countOf(c, kind));
  }
}

function unsubscribe(c: Context, kind: Kind): void {
  c.muted = false;
  const ps = c.server.pubsub;
  const what = NAMES[kind][1];
  if (c.args.argc === 1) {
    // Without names: from everything of this kind, in subscription order; nil when none.
    const all = ps.subscriptions(c, kind);
    if (all.length === 0) return confirm(c, what, null, countOf(c, kind));
    for (const name of all) {
      ps.unsubscribe(c, kind, name);
      confirm(c, what, name, countOf(c, kind));
    }
    return;
  }
  for (let i = 1; i < c.args.argc; i++) {
    const name = c.args.str(i);
    ps.unsubscribe(c, kind, name);
    confirm(c, what, name, countOf(c, kind));
  }
}

function wrongSubArgs(c: Context): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${c.args.str(1)}'. Try PUBSUB HELP.`);
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
function channels(c: Context, kind: "channel" | "shard"): void {
  if (c.args.argc > 3) return wrongSubArgs(c);
  const list = c.server.pubsub.channels(kind, c.args.argc === 3 ? c.args.str(2) : null);
  c.reply.bulkArray(list);
}

/** PUBSUB NUMSUB / SHARDNUMSUB [name ...]: a flat array of name, count (an array in RESP3 too). */
function numsub(c: Context, kind: "channel" | "shard"): void {
  const ps = c.server.pubsub;
  const r = c.reply;
  r.array((c.args.argc - 2) * 2);
  for (let i = 2; i < c.args.argc; i++) {
    const name = c.args.str(i);
    r.bulk(name);
    r.int(ps.numsub(kind, name));
  }
}

const PUBSUB_HELP = [
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
];

const SUBSCRIBER: readonly CommandFlag[] = ["pubsub", "noscript", "loading", "stale"];
const PUBLISHER: readonly CommandFlag[] = ["pubsub", "loading", "stale", "fast"];
const INTROSPECTION: readonly CommandFlag[] = ["pubsub", "loading", "stale"];

/** Shard channels sit where keys would (cluster slot routing) but are not keys. */
const shardChannels = (lastKey: number): KeySpec[] => [
  { flags: ["not_key"], begin: { index: 1 }, find: { range: [lastKey, 1, 0] } },
];

export const pubsubCommands: readonly CommandSpec[] = [
  {
    name: "subscribe",
    arity: -2,
    flags: SUBSCRIBER,
    group: "pubsub",
    since: "2.0.0",
    summary: "Starts listening to messages published on the given channels.",
    complexity: "O(N) where N is the number of channels to subscribe to.",
    run: (c) => subscribe(c, "channel"),
  },
  {
    name: "unsubscribe",
    arity: -1,
    flags: SUBSCRIBER,
    group: "pubsub",
    since: "2.0.0",
    summary: "Stops listening to the given channels, or to every channel.",
    complexity: "O(N) where N is the number of clients already subscribed to a channel.",
    run: (c) => unsubscribe(c, "channel"),
  },
  {
    name: "psubscribe",
    arity: -2,
    flags: SUBSCRIBER,
    group: "pubsub",
    since: "2.0.0",
    summary: "Starts listening to messages published on channels that match glob patterns.",
    complexity: "O(N) where N is the number of patterns to subscribe to.",
    run: (c) => subscribe(c, "pattern"),
  },
  {
    name: "punsubscribe",
    arity: -1,
    flags: SUBSCRIBER,
    group: "pubsub",
    since: "2.0.0",
    summary: "Stops listening to the given patterns, or to every pattern.",
    complexity: "O(N) where N is the number of patterns to unsubscribe.",
    run: (c) => unsubscribe(c, "pattern"),
  },
  {
    name: "publish",
    arity: 3,
    flags: PUBLISHER,
    group: "pubsub",
    since: "2.0.0",
    summary: "Sends a message to a channel and reports how many clients received it.",
    complexity: "O(N+M) where N is the number of subscribers of the channel and M the number of patterns.",
    run(c) {
      c.reply.int(c.server.pubsub.publish(c.args.str(1), c.args.bytes(2)));
    },
  },
  {
    name: "ssubscribe",
    arity: -2,
    flags: SUBSCRIBER,
    keys: [1, -1, 1],
    keySpecs: shardChannels(-1),
    group: "pubsub",
    since: "7.0.0",
    summary: "Starts listening to messages published on the given shard channels.",
    complexity: "O(N) where N is the number of shard channels to subscribe to.",
    run: (c) => subscribe(c, "shard"),
  },
  {
    name: "sunsubscribe",
    arity: -1,
    flags: SUBSCRIBER,
    keys: [1, -1, 1],
    keySpecs: shardChannels(-1),
    group: "pubsub",
    since: "7.0.0",
    summary: "Stops listening to the given shard channels, or to every shard channel.",
    complexity: "O(N) where N is the number of shard channels to unsubscribe.",
    run: (c) => unsubscribe(c, "shard"),
  },
  {
    name: "spublish",
    arity: 3,
    flags: PUBLISHER,
    keys: [1, 1, 1],
    keySpecs: shardChannels(0),
    group: "pubsub",
    since: "7.0.0",
    summary: "Sends a message to a shard channel and reports how many clients received it.",
    complexity: "O(N) where N is the number of subscribers of the shard channel.",
    run(c) {
      c.reply.int(c.server.pubsub.spublish(c.args.str(1), c.args.bytes(2)));
    },
  },
  {
    name: "pubsub",
    arity: -2,
    flags: [],
    group: "pubsub",
    since: "2.8.0",
    summary: "Container for commands that inspect Pub/Sub state.",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "channels",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "2.8.0",
        summary: "Lists the channels that have subscribers, optionally those matching a pattern.",
        complexity: "O(N) where N is the number of active channels.",
        run: (c) => channels(c, "channel"),
      },
      {
        name: "numsub",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "2.8.0",
        summary: "Reports the number of subscribers of each given channel.",
        complexity: "O(N) for N requested channels.",
        run: (c) => numsub(c, "channel"),
      },
      {
        name: "numpat",
        arity: 2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "2.8.0",
        summary: "Reports the number of distinct patterns subscribed to.",
        complexity: "O(1)",
        run: (c) => c.reply.int(c.server.pubsub.patternCount),
      },
      {
        name: "shardchannels",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "7.0.0",
        summary: "Lists the shard channels that have subscribers, optionally those matching a pattern.",
        complexity: "O(N) where N is the number of active shard channels.",
        run: (c) => channels(c, "shard"),
      },
      {
        name: "shardnumsub",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "7.0.0",
        summary: "Reports the number of subscribers of each given shard channel.",
        complexity: "O(N) for N requested shard channels.",
        run: (c) => numsub(c, "shard"),
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        group: "pubsub",
        since: "6.2.0",
        summary: "Lists the PUBSUB subcommands.",
        complexity: "O(1)",
        run: (c) => replyHelp(c, "PUBSUB", PUBSUB_HELP),
      },
    ],
  },
];
