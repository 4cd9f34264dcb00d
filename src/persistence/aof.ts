// The append-only file of a server, Redis 7's multi-part layout: observes the propagation bus and
// encodes each write (SELECT when the db changes) into one growing buffer; writes it once per
// event-loop turn before the replies go out (server.beforeReplies), and fsyncs by policy (always:
// before the replies; everysec: in the background once a second, with Redis's 2-second rule;
// no: never); turns on and off at run time; reports INFO's aof_* numbers and the MISCONF write
// refusal. Rewrites live in aofrewrite.ts, start-up loading in aofloader.ts.
import { closeSync, fsync, fsyncSync, ftruncateSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Server } from "../server.ts";
import type { PropArg, PropagationListener } from "../propagation.ts";
import { CommandEncoder } from "../resp/encode.ts";
import type { Args } from "../resp/args.ts";
import type { Context } from "../commands/context.ts";
import { cloneManifest, emptyManifest, strerror, type Manifest } from "./aofmanifest.ts";
import { loadAtStartup, peekManifest } from "./aofloader.ts";
import { AofRewriter, type RewriteStart } from "./aofrewrite.ts";

export type AofState = "off" | "on" | "wait_rewrite";
export type FsyncPolicy = "always" | "everysec" | "no";
export type { RewriteStart } from "./aofrewrite.ts";
export { AofLoadError } from "./aofloader.ts";

/** Redis's rule: a background fsync still running this long makes writes go ahead anyway. */
const MAX_FSYNC_POSTPONE_MS = 2000;

/** File operations the AOF uses on its hot path; tests swap them to simulate a failing disk. */
export interface AofIo {
  write(fd: number, buf: Uint8Array, off: number, len: number): number;
  fsync(fd: number): void;
  fsyncAsync(fd: number, done: (err: Error | null) => void): void;
}

export const nodeIo: AofIo = {
  write: (fd, buf, off, len) => writeSync(fd, buf, off, len),
  fsync: (fd) => fsyncSync(fd),
  fsyncAsync: (fd, done) => fsync(fd, (err) => done(err)),
};

export class Aof implements PropagationListener {
  readonly #srv: Server;
  io: AofIo = nodeIo;
  #state: AofState = "off";
  #policy: FsyncPolicy;
  readonly #enc = new CommandEncoder();
  /** The db the file last SELECTed; -1 forces a SELECT before the next command. */
  #selectedDb = -1;
  /** The incr file being appended to (-1: none). */
  #fd = -1;
  /** The appendonlydir in use (fixed while files are open). */
  #dir = "";
  #manifest: Manifest = emptyManifest();
  #unsubscribe: (() => void) | null = null;
  /** aof_current_size: base + incr files; the open incr file's own size; aof_rewrite_base_size. */
  #currentSize = 0;
  #incrSize = 0;
  #rewriteBaseSize = 0;
  /** aof_current_size at the last completed fsync. */
  #fsyncedSize = 0;
  #lastFsyncMs = 0;
  #fsyncInProgress = false;
  /** The descriptor the background fsync in progress syncs. */
  #fsyncFd = -1;
  /** Descriptors retired while a background fsync used them: closed when it ends. */
  #retired: number[] = [];
  /** When writing began waiting for a background fsync (0: not waiting). */
  #postponedStart = 0;
  /** aof_delayed_fsync: writes that went ahead after waiting 2 s for a background fsync. */
  delayedFsync = 0;
  /** Why the last write / background fsync failed (strerror), or null. */
  #writeErr: string | null = null;
  #fsyncErr: string | null = null;
  #lastWriteErrLogMs = 0;
  /** Clients whose replies wait for the end-of-turn write (and fsync under always). */
  readonly #held = new Set<Context>();
  #endOfTurnScheduled = false;
  readonly #rewriter: AofRewriter;

  constructor(srv: Server) {
    this.#srv = srv;
    const cfg = srv.config;
    this.#policy = cfg.get("appendfsync") as FsyncPolicy;
    cfg.onChange("appendfsync", (v) => {
      this.#policy = v as FsyncPolicy;
      // Matches Redis: switching to always syncs what is already written at once.
      if (v === "always" && this.#fd >= 0) {
        try {
          this.io.fsync(this.#fd);
          this.#fsyncedSize = this.#currentSize;
        } catch (e) {
          this.#fsyncErr = strerror(e);
        }
      }
      return null;
    });
    cfg.onChange("appendonly", (v) => (v === "yes" ? this.#startAppendOnly() : this.#stopAppendOnly()));
    const p = srv.stats.persistence;
    p.aofExtra = () => [
      `aof_current_size:${this.#currentSize}`,
      `aof_base_size:${this.#rewriteBaseSize}`,
      `aof_pending_rewrite:${this.#rewriter.scheduled ? 1 : 0}`,
      `aof_buffer_length:${this.#enc.len}`,
      `aof_pending_bio_fsync:${this.#fsyncInProgress ? 1 : 0}`,
      `aof_delayed_fsync:${this.delayedFsync}`,
    ];
    // The rewrite reaches the appender's state only through this host.
    const self = this;
    this.#rewriter = new AofRewriter({
      srv,
      get state() {
        return self.#state;
      },
      turnedOn: () => {
        this.#state = "on";
      },
      get dir() {
        return self.dir;
      },
      get fn() {
        return self.#fn;
      },
      get preamble() {
        return self.#preamble;
      },
      get manifest() {
        return self.#manifest;
      },
      set manifest(m: Manifest) {
        self.#manifest = m;
      },
      flushAll: () => {
        this.flush(true);
        return this.#enc.len === 0;
      },
      useIncr: (fd, dir) => {
        this.#retire(this.#fd);
        this.#fd = fd;
        this.#dir = dir;
        this.#incrSize = 0;
        this.#fsyncedSize = this.#currentSize;
        // The next write opens the new file with a SELECT.
        this.#selectedDb = -1;
      },
      dropIncr: () => {
        this.#retire(this.#fd);
        this.#fd = -1;
        this.#dir = "";
        this.#enc.reset();
      },
      get incrSize() {
        return self.#incrSize;
      },
      rewritten: (baseSize) => {
        this.#currentSize = baseSize + (this.#state === "on" ? this.#incrSize : 0);
        this.#rewriteBaseSize = this.#currentSize;
        this.#fsyncedSize = Math.min(this.#fsyncedSize, this.#currentSize);
      },
    });
  }

  get state(): AofState {
    return this.#state;
  }

  get #info() {
    return this.#srv.stats.persistence;
  }

  /** The data directory (`dir`, resolved against the working directory). */
  #rootDir(): string {
    const d = this.#srv.config.get("dir");
    return d === "" ? process.cwd() : resolve(d);
  }

  /** The appendonlydir in use, or the configured one. */
  get dir(): string {
    return this.#dir !== "" ? this.#dir : join(this.#rootDir(), this.#srv.config.get("appenddirname"));
  }

  get #fn(): string {
    return this.#srv.config.get("appendfilename");
  }

  get #preamble(): boolean {
    return this.#srv.config.get("aof-use-rdb-preamble") === "yes";
  }

  /** The current manifest (tests). */
  get manifest(): Manifest {
    return cloneManifest(this.#manifest);
  }

  // -------------------------------------------------------------------------------------------
  // Appending

  /** PropagationListener: a write to log. */
  feed(dbId: number, argv: readonly PropArg[]): void {
    // Matches Redis: while turning on, writes are kept only once the rewrite's snapshot exists
    // (earlier ones are in it).
    if (this.#state !== "on" && (this.#state !== "wait_rewrite" || !this.#rewriter.inProgress)) return;
    const e = this.#enc;
    if (dbId !== this.#selectedDb) {
      e.header(42, 2);
      e.bulk("SELECT");
      e.bulkInt(dbId);
      this.#selectedDb = dbId;
    }
    e.command(argv);
  }

  /** PropagationListener fast path: a request logged as received, copied byte for byte. */
  feedArgs(dbId: number, args: Args): void {
    if (this.#state !== "on" && (this.#state !== "wait_rewrite" || !this.#rewriter.inProgress)) return;
    const e = this.#enc;
    if (dbId !== this.#selectedDb) {
      e.header(42, 2);
      e.bulk("SELECT");
      e.bulkInt(dbId);
      this.#selectedDb = dbId;
    }
    e.args(args);
  }

  /**
   * Before c's replies are written, the buffered writes must reach the file (and the disk under
   * always). Redis's beforeSleep order: c's replies are held (false) until the end of this
   * event-loop turn, when one write — and under always one fsync — covers every client's writes;
   * then the held clients are flushed. Nothing buffered: the replies go at once.
   */
  beforeReplies(c?: Context): boolean {
    if (this.#enc.len === 0) return true;
    // No client to flush later (internal callers), a failing disk (which holds no replies:
    // Redis would exit under always; we refuse later writes instead), or a write postponed by
    // everysec's wait for a background fsync (Redis replies meanwhile): try to write now.
    if (c === undefined || this.#fd < 0 || this.#writeErr !== null || this.#postponedStart !== 0) {
      this.flush(false);
      return true;
    }
    this.#held.add(c);
    if (!this.#endOfTurnScheduled) {
      this.#endOfTurnScheduled = true;
      setImmediate(this.#endOfTurn);
    }
    return false;
  }

  /** The end of an event-loop turn: write (and fsync, by policy) what is buffered, release replies. */
  readonly #endOfTurn = (): void => {
    this.#endOfTurnScheduled = false;
    // Under everysec this respects Redis's postponement while a background fsync runs: the
    // replies then go out before the write, as in Redis.
    if (this.#enc.len !== 0) this.flush(false);
    const held = [...this.#held];
    this.#held.clear();
    for (const c of held) this.#srv.requestFlush(c);
  };

  /**
   * Redis's flushAppendOnlyFile: write the buffer; fsync under always; start the background fsync
   * under everysec once a second. force skips everysec's wait for a running background fsync.
   */
  flush(force: boolean): void {
    const fd = this.#fd;
    if (fd < 0) return;
    const len = this.#enc.len;
    const now = Date.now();
    if (len === 0) {
      this.#maybeBackgroundFsync(now);
      return;
    }
    if (this.#policy === "everysec" && !force && this.#fsyncInProgress) {
      // Matches Redis: wait (up to 2 s) rather than write while the disk is busy syncing.
      if (this.#postponedStart === 0) {
        this.#postponedStart = now;
        return;
      }
      if (now - this.#postponedStart < MAX_FSYNC_POSTPONE_MS) return;
      this.delayedFsync++;
      this.#srv.log.notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
    }
    this.#postponedStart = 0;
    let written = 0;
    try {
      const buf = this.#enc.buf;
      while (written < len) written += this.io.write(fd, buf, written, len - written);
    } catch (e) {
      this.#writeFailed(fd, written, e, now);
      return;
    }
    this.#enc.reset();
    this.#incrSize += len;
    this.#currentSize += len;
    if (this.#writeErr !== null) {
      this.#srv.log.warning("AOF write error looks solved, Redis can write again.");
      this.#writeErr = null;
      this.#syncStatus();
    }
    if (this.#policy === "always") {
      if (this.#noFsyncNow()) return;
      try {
        this.io.fsync(fd);
        this.#fsyncedSize = this.#currentSize;
        this.#lastFsyncMs = now;
        if (this.#fsyncErr !== null) {
          this.#fsyncErr = null;
          this.#syncStatus();
        }
      } catch (e) {
        // Redis exits here (it cannot take back replies); we refuse writes until fsync works.
        this.#fsyncErr = strerror(e);
        this.#syncStatus();
        this.#srv.log.warning(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${this.#fsyncErr}.`);
      }
    } else {
      this.#maybeBackgroundFsync(now);
    }
  }

  /** A write failed after `written` bytes: undo the partial write if possible, keep the rest. */
  #writeFailed(fd: number, written: number, e: unknown, now: number): void {
    const msg = strerror(e);
    if (written > 0) {
      // Matches Redis: cut the partial command off so the file stays loadable; if that fails
      // too, the written bytes stay in the file and leave the buffer.
      try {
        ftruncateSync(fd, this.#incrSize);
      } catch {
        this.#enc.consume(written);
        this.#incrSize += written;
        this.#currentSize += written;
      }
    }
    if (this.#writeErr === null || now - this.#lastWriteErrLogMs > 30000) {
      this.#srv.log.warning(`Error writing to the AOF file: ${msg}`);
      this.#lastWriteErrLogMs = now;
    }
    this.#writeErr = msg;
    this.#syncStatus();
  }

  #syncStatus(): void {
    this.#info.aofLastWriteOk = this.#writeErr === null && this.#fsyncErr === null;
  }

  /** no-appendfsync-on-rewrite: skip fsyncs while a rewrite writes its base. */
  #noFsyncNow(): boolean {
    return this.#rewriter.inProgress && this.#srv.config.get("no-appendfsync-on-rewrite") === "yes";
  }

  #maybeBackgroundFsync(now: number): void {
    if (this.#policy !== "everysec" || this.#fsyncInProgress || this.#fd < 0) return;
    if (this.#fsyncedSize === this.#currentSize || now - this.#lastFsyncMs < 1000 || this.#noFsyncNow()) return;
    this.#fsyncInProgress = true;
    this.#fsyncFd = this.#fd;
    this.#lastFsyncMs = now;
    const upTo = this.#currentSize;
    this.io.fsyncAsync(this.#fd, (err) => {
      this.#fsyncInProgress = false;
      if (err !== null) {
        this.#fsyncErr = strerror(err);
        this.#srv.log.warning(`Error syncing the AOF file: ${this.#fsyncErr}`);
      } else {
        if (upTo > this.#fsyncedSize) this.#fsyncedSize = upTo;
        this.#fsyncErr = null;
      }
      this.#syncStatus();
      for (const old of this.#retired) closeQuietly(old);
      this.#retired = [];
    });
  }

  /** Stop using a descriptor: synced (unless appendfsync no) and closed in the background, after
   * any background fsync still using it. */
  #retire(fd: number): void {
    if (fd < 0) return;
    const close = (): void => {
      if (this.#fsyncInProgress && this.#fsyncFd === fd) this.#retired.push(fd);
      else closeQuietly(fd);
    };
    if (this.#policy === "no") close();
    else this.io.fsyncAsync(fd, close);
  }

  /** Writes are refused (MISCONF) while the AOF is on and the last write or fsync failed. */
  get denyWrites(): boolean {
    return this.#state !== "off" && (this.#writeErr !== null || this.#fsyncErr !== null);
  }

  /** Redis's MISCONF reply for AOF errors. */
  misconf(): string {
    return `MISCONF Errors writing to the AOF file: ${this.#writeErr ?? this.#fsyncErr ?? "unknown error"}`;
  }

  /** Redis's serverCron part: retry failed or postponed writes, everysec fsync, rewrites. */
  cron(): void {
    if (this.#fd >= 0) {
      if (this.#enc.len !== 0) this.flush(false);
      else this.#maybeBackgroundFsync(Date.now());
    }
    this.#rewriter.cron(this.#currentSize, this.#rewriteBaseSize);
  }

  // -------------------------------------------------------------------------------------------
  // Rewrite (aofrewrite.ts)

  get rewriteInProgress(): boolean {
    return this.#rewriter.inProgress;
  }

  /** BGREWRITEAOF. */
  bgrewrite(): RewriteStart {
    return this.#rewriter.bgrewrite();
  }

  /** Run a rewrite once no other background job (or transaction) is in the way. */
  schedule(): void {
    this.#rewriter.schedule();
  }

  /** Wait for the rewrite in progress (tests); resolves to its success, false when none. */
  waitRewrite(): Promise<boolean> {
    return this.#rewriter.wait();
  }

  // -------------------------------------------------------------------------------------------
  // Turning on and off, start-up and shutdown

  #subscribe(): void {
    this.#unsubscribe ??= this.#srv.propagation.subscribe(this);
  }

  #unsubscribeAll(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  /** CONFIG SET appendonly yes: Redis's startAppendOnly (the AOF is on once a base exists). */
  #startAppendOnly(): string | null {
    if (this.#state !== "off") return null;
    const rw = this.#rewriter;
    this.#state = "wait_rewrite";
    this.#selectedDb = -1;
    this.#subscribe();
    // Matches Redis: a rewrite already running (BGREWRITEAOF with the AOF off) is replaced by
    // this one, which also opens the incr file.
    if (rw.inProgress) rw.abort();
    if (this.#srv.rdb.bgsaveInProgress) {
      rw.scheduled = true;
      this.#srv.log.warning("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
      return null;
    }
    if (!rw.start()) {
      this.#state = "off";
      this.#unsubscribeAll();
      this.#srv.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
      return "Unable to turn on AOF. Check server logs.";
    }
    return null;
  }

  /** CONFIG SET appendonly no: what is buffered is written and synced, the file closed. */
  #stopAppendOnly(): string | null {
    if (this.#state === "off") return null;
    if (this.#fd >= 0 && this.#state === "on") {
      this.flush(true);
      try {
        this.io.fsync(this.#fd);
      } catch {
        // best effort: the file stays as written
      }
    }
    if (this.#rewriter.inProgress) {
      this.#srv.log.notice("Killing running AOF rewrite child");
      this.#rewriter.abort();
    }
    this.#retire(this.#fd);
    this.#fd = -1;
    this.#dir = "";
    this.#state = "off";
    this.#rewriter.scheduled = false;
    this.#enc.reset();
    this.#selectedDb = -1;
    this.#writeErr = this.#fsyncErr = null;
    this.#syncStatus();
    this.#unsubscribeAll();
    return null;
  }

  /**
   * Start-up. With appendonly yes: load the files (aofloader.ts), open the last incr file and
   * start logging; throws AofLoadError when the files cannot be loaded.
   */
  start(): void {
    const srv = this.#srv;
    const dir = join(this.#rootDir(), srv.config.get("appenddirname"));
    if (srv.config.get("appendonly") !== "yes") {
      // Matches Redis: the manifest is read anyway, so a later BGREWRITEAOF or appendonly yes
      // continues its sequence numbers instead of reusing file names.
      this.#manifest = peekManifest(srv, dir, this.#fn);
      return;
    }
    const o = loadAtStartup(srv, this.#rootDir(), dir, this.#fn, this.#preamble);
    this.#dir = dir;
    this.#manifest = o.manifest;
    this.#fd = o.fd;
    this.#incrSize = o.incrSize;
    this.#currentSize = this.#fsyncedSize = o.size;
    this.#rewriteBaseSize = o.baseSize;
    this.#state = "on";
    this.#selectedDb = -1;
    this.#lastFsyncMs = Date.now();
    this.#rewriter.deleteHistory();
    this.#subscribe();
  }

  /** Redis's shutdown part: stop a rewrite, write what is buffered, fsync, close. */
  shutdown(): void {
    if (this.#state === "wait_rewrite") this.#rewriter.completeNow();
    if (this.#rewriter.inProgress) {
      this.#srv.log.warning("There is a child rewriting the AOF. Killing it!");
      this.#rewriter.abort();
    }
    if (this.#fd >= 0) {
      this.flush(true);
      this.#srv.log.notice("Calling fsync() on the AOF file.");
      try {
        this.io.fsync(this.#fd);
      } catch {
        // nothing more to do at exit
      }
      closeQuietly(this.#fd);
      this.#fd = -1;
    }
    this.#unsubscribeAll();
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
