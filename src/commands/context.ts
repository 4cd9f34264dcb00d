// A client as command handlers see it: selected db, protocol, auth, name, reply mode, the
// current argv and reply writer, and the rewrite hook for propagation.
// Holds no socket: the net layer owns the connection and gives us kill().
import { Args } from "../resp/args.ts";
import { Reply } from "../resp/reply.ts";
import type { Db } from "../keyspace/db.ts";
import type { Value } from "../types/value.ts";
import type { PropArg } from "../propagation.ts";
import type { Server } from "../server.ts";
import type { Command } from "./table.ts";
import type { Watcher, WatchedKey } from "../keyspace/watch.ts";
import type { ClientPubSub } from "../pubsub.ts";
import { NOTIFY_KEY_MISS, notifyKeyspaceEvent } from "../notifications.ts";
import { E } from "../errors.ts";

/** A command queued by MULTI: its resolved command and a copy of its arguments. */
export interface QueuedCommand {
  readonly cmd: Command;
  readonly args: Args;
}

export type ReplyMode = "on" | "off" | "skip";

export class Context implements Watcher {
  readonly id: number;
  readonly server: Server;
  args = new Args();
  reply = new Reply();
  db: Db;
  name = "";
  libName = "";
  libVer = "";
  authenticated: boolean;
  replyMode: ReplyMode = "on";
  noEvict = false;
  noTouch = false;
  readonly createdMs: number;
  lastInteractionMs: number;
  /** The command being run (or last run): for CLIENT LIST's cmd= and errors. */
  cmd: Command | null = null;
  addr = "";
  laddr = "";
  fd = -1;
  /** Close the connection once pending replies are written (QUIT, protocol errors). */
  closeAfterReply = false;
  /** Set by a handler to propagate the command even though it changed nothing (FLUSHDB on an empty db). */
  forcePropagation = false;
  /** Set by a handler to propagate this argv instead of the received one. */
  propagateAs: PropArg[] | null = null;
  /** True once the running command replied with an error. */
  failed = false;
  /** Output bytes waiting for the socket (kept by the net layer, read by CLIENT LIST). */
  pendingOutput = 0;
  /** Pending input bytes (CLIENT LIST qbuf). */
  pendingInput = 0;
  /** Spare room in the input buffer (CLIENT LIST qbuf-free). */
  inputFree = 0;
  /** Output chunks waiting for the socket (CLIENT LIST oll). */
  outputChunks = 0;
  /** True while the running command's reply is being dropped (CLIENT REPLY OFF/SKIP). */
  muted = false;
  /** Closes the connection; installed by the net layer. */
  kill: () => void = () => {};
  /** True while parked by a blocking command (keyspace/blocking.ts): later input waits unread. */
  blocked = false;
  /** Held by CLIENT PAUSE (set by the net layer): CLIENT LIST shows it as blocked. */
  postponed = false;
  /** Installed by the net layer: go on with input that arrived while blocked (after unblocking). */
  resume: () => void = () => {};
  /** Set while commands must not block (EXEC, scripts): BLPOP & co. then reply as on timeout. */
  denyBlocking = false;
  /** MONITOR: this client receives every command (monitor.ts); CLIENT LIST shows flag O. */
  monitor = false;
  /** WATCH: set when a watched key changed; EXEC then aborts. */
  dirtyCas = false;
  /** WATCH: the keys this client watches. */
  readonly watched: WatchedKey[] = [];
  /** MULTI: the commands queued for EXEC, or null outside a transaction. */
  multi: QueuedCommand[] | null = null;
  /** MULTI: a command failed to queue, so EXEC must abort (Redis's CLIENT_DIRTY_EXEC). */
  multiAborted = false;
  /** Pub/Sub: this client's subscriptions; null when it has none (not in subscribed mode). */
  pubsub: ClientPubSub | null = null;

  constructor(server: Server, id: number, db: Db) {
    this.server = server;
    this.id = id;
    this.db = db;
    this.authenticated = server.config.requirepass === "";
    this.createdMs = this.lastInteractionMs = server.clock.now();
  }

  /** Reply with an error and count it (INFO errorstats, failed_calls). */
  error(msg: string): void {
    this.failed = true;
    this.server.stats.countError(msg);
    this.reply.error(msg);
  }

  /** Redis's lookupKeyRead: counts keyspace hits and misses. */
  lookupRead(key: string): Value | undefined {
    const v = this.noTouch ? this.db.peek(key) : this.db.lookup(key);
    if (v === undefined) {
      this.server.stats.keyspaceMisses++;
      this.notify(NOTIFY_KEY_MISS, "keymiss", key);
    } else {
      this.server.stats.keyspaceHits++;
    }
    return v;
  }

  /**
   * lookupRead() by argument i's bytes, with no key string: the keyspace record (valid until the
   * next write to the db; read it through c.db.dict), or 0.
   */
  lookupReadArg(i: number): number {
    const a = this.args;
    const b = a.base;
    const s = b + a.starts[i]!;
    const e = b + a.ends[i]!;
    const r = this.noTouch ? this.db.peekRecord(a.buf, s, e) : this.db.lookupRecord(a.buf, s, e);
    if (r === 0) {
      this.server.stats.keyspaceMisses++;
      if ((this.server.pubsub.notifyFlags & NOTIFY_KEY_MISS) !== 0) this.notify(NOTIFY_KEY_MISS, "keymiss", a.str(i));
    } else {
      this.server.stats.keyspaceHits++;
    }
    return r;
  }

  /** lookupWrite() by argument i's bytes: the keyspace record, or 0. */
  lookupWriteArg(i: number): number {
    const a = this.args;
    const b = a.base;
    return this.db.lookupRecord(a.buf, b + a.starts[i]!, b + a.ends[i]!);
  }

  /**
   * The value at argument i's key for a write, made by create() and stored if the key is
   * missing; undefined after a WRONGTYPE reply when it holds something else.
   */
  valueForWrite<T extends Value>(i: number, is: (v: Value) => v is T, create: () => T): T | undefined {
    const r = this.lookupWriteArg(i);
    if (r === 0) {
      const v = create();
      const a = this.args;
      this.db.setKeyBytes(a.buf, a.base + a.starts[i]!, a.base + a.ends[i]!, v);
      return v;
    }
    const v = this.db.dict.value(r);
    if (is(v)) return v;
    this.error(E.wrongType);
    return undefined;
  }

  /**
   * signalModified() and notify() for the key at argument i; the key's string is made only
   * when a WATCH or an enabled notification class needs it.
   */
  keyChanged(i: number, type: number, event: string): void {
    const srv = this.server;
    if (srv.watches.empty && (srv.pubsub.notifyFlags & type) === 0) return;
    const key = this.args.str(i);
    this.signalModified(key);
    this.notify(type, event, key);
  }

  /** Redis's lookupKeyWrite. */
  lookupWrite(key: string): Value | undefined {
    return this.db.lookup(key);
  }

  /** Redis's signalModifiedKey: a key of the selected db changed (invalidates WATCH on it). */
  signalModified(key: string): void {
    const w = this.server.watches;
    if (!w.empty) w.touch(this.db, key);
  }

  /**
   * Redis's notifyKeyspaceEvent for a key of the selected db: type is a NOTIFY_* class from
   * notifications.ts, event the name Redis publishes. Costs one AND when the class is off.
   */
  notify(type: number, event: string, key: string): void {
    const ps = this.server.pubsub;
    if ((ps.notifyFlags & type) !== 0) notifyKeyspaceEvent(ps, ps.notifyFlags, type, event, key, this.db.id);
  }

  /** Mark the keyspace changed by n (the dirty counter drives propagation and save points). */
  dirty(n = 1): void {
    this.server.dirty += n;
  }
}
