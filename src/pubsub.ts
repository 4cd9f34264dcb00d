// Pub/Sub: who is subscribed to which channel, pattern and shard channel, and the fan-out of a
// message to them (PUBLISH, SPUBLISH, keyspace notifications). Writes messages into subscribers'
// reply buffers and asks the server to flush them; knows nothing of sockets. Enforces
// client-output-buffer-limit for the pubsub class, so a subscriber that never reads is dropped.
import type { Context } from "./commands/context.ts";
import type { Server } from "./server.ts";
import { clientInfoLine } from "./commands/client.ts";
import { globMatch } from "./util/glob.ts";
import { NOTIFY_NEW, notifyFlags, notifyKeyspaceEvent } from "./notifications.ts";

/** One client's subscriptions. Sets keep subscription order (UNSUBSCRIBE without names replies in it). */
export class ClientPubSub {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shard = new Set<string>();
  /** Redis's obuf_soft_limit_reached_time: unix seconds when output first passed the soft limit, or 0. */
  softSince = 0;
  /** Scheduled to be closed for overcoming the output buffer limits: gets no more messages. */
  closing = false;

  /** Count SUBSCRIBE/UNSUBSCRIBE report: channels and patterns (shard channels count apart). */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  get empty(): boolean {
    return this.channels.size === 0 && this.patterns.size === 0 && this.shard.size === 0;
  }
}

/** What a subscription kind replies and counts: the name of its confirmations and its count. */
export type Kind = "channel" | "pattern" | "shard";

/** The commands a RESP2 client in subscribed mode may run (matches Redis 7). */
export const SUBSCRIBED_MODE_ALLOWED: ReadonlySet<string> = new Set([
  "subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe", "ping", "quit", "reset",
]);

/** Redis's error for any other command in RESP2 subscribed mode. */
export function subscribedModeError(fullName: string): string {
  return `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

/** client-output-buffer-limit for one class: bytes (0 = none) and seconds. */
export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

const latin1Bytes = (s: string): Buffer => Buffer.from(s, "latin1");
const MESSAGE_HDR = latin1Bytes("*3\r\n$7\r\nmessage\r\n");
const SMESSAGE_HDR = latin1Bytes("*3\r\n$8\r\nsmessage\r\n");
const PMESSAGE_HDR = "*4\r\n$8\r\npmessage\r\n";
const RESP3_PUSH = 62; // '>'

/** `$len\r\n<bytes>\r\n` for each part, in one buffer (the part of a message shared by every receiver). */
function encodeBulks(parts: readonly (string | Uint8Array)[]): Buffer {
  let n = 0;
  for (const p of parts) n += String(p.length).length + p.length + 5;
  const out = Buffer.allocUnsafe(n);
  let pos = 0;
  for (const p of parts) {
    pos += out.write(`$${p.length}\r\n`, pos, "latin1");
    if (typeof p === "string") pos += out.write(p, pos, "latin1");
    else {
      out.set(p, pos);
      pos += p.length;
    }
    out[pos++] = 13;
    out[pos++] = 10;
  }
  return out;
}

export class PubSub {
  readonly #server: Server;
  /** channel → subscribers, in subscription order (delivery order, as Redis's client lists). */
  readonly #channels = new Map<string, Set<Context>>();
  readonly #patterns = new Map<string, Set<Context>>();
  readonly #shard = new Map<string, Set<Context>>();
  /** client-output-buffer-limit pubsub class, kept in sync with the config. */
  limit: OutputLimit = { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 };
  /** Clients over their output limit, killed once the current fan-out is done. */
  #doomed: Context[] = [];
  /** notify-keyspace-events as bits (0 when nothing is published): checked before any work. */
  notifyFlags = 0;

  /** Needs server.config and server.dbs in place. */
  constructor(server: Server) {
    this.#server = server;
    server.stats.pubsubChannels = () => this.#channels.size;
    server.stats.pubsubPatterns = () => this.#patterns.size;
    const cfg = server.config;
    this.#setNotify(cfg.get("notify-keyspace-events"));
    cfg.onChange("notify-keyspace-events", (v) => {
      this.#setNotify(v);
      return null;
    });
    this.#setLimit(cfg.get("client-output-buffer-limit"));
    cfg.onChange("client-output-buffer-limit", (v) => {
      this.#setLimit(v);
      return null;
    });
  }

  #setNotify(value: string): void {
    this.notifyFlags = notifyFlags(value);
    const onNew = (this.notifyFlags & NOTIFY_NEW) !== 0;
    for (const db of this.#server.dbs) db.notifyNew = onNew;
  }

  /** Take the pubsub class from "normal h s sec slave h s sec pubsub h s sec". */
  #setLimit(value: string): void {
    const w = value.split(" ");
    const i = w.indexOf("pubsub");
    if (i < 0) return;
    this.limit = { hard: Number(w[i + 1]), soft: Number(w[i + 2]), softSeconds: Number(w[i + 3]) };
  }

  /** notifyKeyspaceEvent for a db (keyspace hooks: expired keys, new keys). */
  notify(type: number, event: string, key: string, dbId: number): void {
    if ((this.notifyFlags & type) !== 0) notifyKeyspaceEvent(this, this.notifyFlags, type, event, key, dbId);
  }

  get channelCount(): number {
    return this.#channels.size;
  }

  get patternCount(): number {
    return this.#patterns.size;
  }

  get shardChannelCount(): number {
    return this.#shard.size;
  }

  /** No channel or pattern subscriber at all: PUBLISH would reach nobody. */
  get idle(): boolean {
    return this.#channels.size === 0 && this.#patterns.size === 0;
  }

  #registry(kind: Kind): Map<string, Set<Context>> {
    return kind === "channel" ? this.#channels : kind === "pattern" ? this.#patterns : this.#shard;
  }

  static #own(s: ClientPubSub, kind: Kind): Set<string> {
    return kind === "channel" ? s.channels : kind === "pattern" ? s.patterns : s.shard;
  }

  /** Subscribe c to name; false if it already was. */
  subscribe(c: Context, kind: Kind, name: string): boolean {
    const s = (c.pubsub ??= new ClientPubSub());
    const own = PubSub.#own(s, kind);
    if (own.has(name)) return false;
    own.add(name);
    const reg = this.#registry(kind);
    let set = reg.get(name);
    if (set === undefined) reg.set(name, (set = new Set()));
    set.add(c);
    return true;
  }

  /** Unsubscribe c from name; false if it was not subscribed. Leaves subscribed mode when nothing is left. */
  unsubscribe(c: Context, kind: Kind, name: string): boolean {
    const s = c.pubsub;
    if (s === null || !PubSub.#own(s, kind).delete(name)) return false;
    const reg = this.#registry(kind);
    const set = reg.get(name);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) reg.delete(name);
    }
    if (s.empty) c.pubsub = null;
    return true;
  }

  /** The names c is subscribed to, in subscription order (a copy: callers unsubscribe while iterating). */
  subscriptions(c: Context, kind: Kind): string[] {
    return c.pubsub === null ? [] : [...PubSub.#own(c.pubsub, kind)];
  }

  /** Forget every subscription of c without replying (RESET, disconnect). */
  removeClient(c: Context): void {
    const s = c.pubsub;
    if (s === null) return;
    for (const kind of ["channel", "pattern", "shard"] as const) {
      const reg = this.#registry(kind);
      for (const name of PubSub.#own(s, kind)) {
        const set = reg.get(name);
        if (set === undefined) continue;
        set.delete(c);
        if (set.size === 0) reg.delete(name);
      }
    }
    c.pubsub = null;
  }

  /** Number of subscribers of a channel (PUBSUB NUMSUB) or shard channel (SHARDNUMSUB). */
  numsub(kind: "channel" | "shard", name: string): number {
    return this.#registry(kind).get(name)?.size ?? 0;
  }

  /** Active channels (or shard channels) matching an optional glob (PUBSUB CHANNELS). */
  channels(kind: "channel" | "shard", pattern: string | null): string[] {
    const out: string[] = [];
    for (const name of this.#registry(kind).keys()) if (pattern === null || globMatch(pattern, name)) out.push(name);
    return out;
  }

  /**
   * PUBLISH: deliver to the channel's subscribers, then to every client of every matching
   * pattern (one message per client and pattern). Returns the number of receivers. The shared
   * part of the frame is encoded once whatever the number of receivers.
   */
  publish(channel: string, message: string | Uint8Array): number {
    let receivers = 0;
    let tail: Buffer | null = null;
    const subs = this.#channels.get(channel);
    if (subs !== undefined) {
      tail = encodeBulks([channel, message]);
      for (const c of subs) this.#deliver(c, MESSAGE_HDR, tail);
      receivers += subs.size;
    }
    if (this.#patterns.size !== 0) {
      for (const [pattern, clients] of this.#patterns) {
        if (!globMatch(pattern, channel)) continue;
        tail ??= encodeBulks([channel, message]);
        const hdr = latin1Bytes(`${PMESSAGE_HDR}$${pattern.length}\r\n${pattern}\r\n`);
        for (const c of clients) this.#deliver(c, hdr, tail);
        receivers += clients.size;
      }
    }
    if (this.#doomed.length !== 0) this.#closeDoomed();
    return receivers;
  }

  /** SPUBLISH: deliver to the shard channel's subscribers only. */
  spublish(channel: string, message: string | Uint8Array): number {
    const subs = this.#shard.get(channel);
    if (subs === undefined) return 0;
    const tail = encodeBulks([channel, message]);
    for (const c of subs) this.#deliver(c, SMESSAGE_HDR, tail);
    if (this.#doomed.length !== 0) this.#closeDoomed();
    return subs.size;
  }

  /** Append one message frame to c's output (a push frame in RESP3) and schedule its write. */
  #deliver(c: Context, hdr: Uint8Array, tail: Uint8Array): void {
    const s = c.pubsub;
    if (s === null || s.closing) return;
    const r = c.reply;
    const at = r.pos;
    r.raw(hdr);
    r.raw(tail);
    if (r.proto === 3) r.buf[at] = RESP3_PUSH;
    if (this.#overLimit(c, s)) {
      s.closing = true;
      this.#doomed.push(c);
    } else {
      this.#server.requestFlush(c);
    }
  }

  /** Redis's checkClientOutputBufferLimits for the pubsub class. */
  #overLimit(c: Context, s: ClientPubSub): boolean {
    const used = c.pendingOutput + c.reply.pos;
    const { hard, soft, softSeconds } = this.limit;
    if (hard > 0 && used >= hard) return true;
    if (soft > 0 && used >= soft) {
      const now = Math.floor(this.#server.clock.now() / 1000);
      if (s.softSince === 0) {
        s.softSince = now;
        return false;
      }
      return now - s.softSince > softSeconds;
    }
    s.softSince = 0;
    return false;
  }

  /** Close the clients that overcame their limits (Redis's freeClientAsync): their output is dropped. */
  #closeDoomed(): void {
    const list = this.#doomed;
    this.#doomed = [];
    const srv = this.#server;
    for (const c of list) {
      srv.log.warning(`Client ${clientInfoLine(c, c)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      // Closed once the running command is done; what it did not read is dropped with it.
      queueMicrotask(() => c.kill());
    }
  }
}
