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

export type ReplyMode = "on" | "off" | "skip";

export class Context {
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
    if (v === undefined) this.server.stats.keyspaceMisses++;
    else this.server.stats.keyspaceHits++;
    return v;
  }

  /** Redis's lookupKeyWrite. */
  lookupWrite(key: string): Value | undefined {
    return this.db.lookup(key);
  }

  /** Mark the keyspace changed by n (the dirty counter drives propagation and save points). */
  dirty(n = 1): void {
    this.server.dirty += n;
  }
}
