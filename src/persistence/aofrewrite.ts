// The AOF rewrite (BGREWRITEAOF, automatic, and the first base when appendonly is turned on):
// opens a new incr file for the writes from now on, writes a new base from a point-in-time
// snapshot off the request path (aofbase.ts), then swaps the manifest atomically and deletes the
// files it made history. Reaches the appender only through RewriteHost (aof.ts implements it).
import { closeSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Server } from "../server.ts";
import type { AofState } from "./aof.ts";
import { aofNames, cloneManifest, persistManifest, strerror, writeFileDurable, type Manifest } from "./aofmanifest.ts";
import { BaseFileJob, newBaseSerializer, serializeAll } from "./aofbase.ts";

export type RewriteStart = "started" | "scheduled" | "in-progress" | "error";

/** A failed rewrite that was turning the AOF on is tried again after this long. */
const RETRY_MS = 1000;

/** What the rewrite needs from the appender. */
export interface RewriteHost {
  readonly srv: Server;
  readonly state: AofState;
  /** wait_rewrite → on: the first base exists. */
  turnedOn(): void;
  /** The appendonlydir in use, or the configured one. */
  readonly dir: string;
  readonly fn: string;
  readonly preamble: boolean;
  manifest: Manifest;
  /** Write the buffer to the current incr file; false when it could not all be written. */
  flushAll(): boolean;
  /** Append to fd (a new incr file in dir) from now on; the old file is synced and closed. */
  useIncr(fd: number, dir: string): void;
  /** Stop appending (turning on failed or was abandoned): drop the file and the buffer. */
  dropIncr(): void;
  /** Size of the incr file being appended to. */
  readonly incrSize: number;
  /** The swap is done: the new base has this size (sizes and fsync accounting restart). */
  rewritten(baseSize: number): void;
}

interface Job {
  job: BaseFileJob;
  startMs: number;
  /** The temp incr file receiving writes while the AOF is being turned on, else null. */
  tempIncr: string | null;
  done: Promise<boolean>;
}

export class AofRewriter {
  readonly #h: RewriteHost;
  #job: Job | null = null;
  /** A rewrite waits for another background job (BGSAVE) or the end of a transaction. */
  #scheduled = false;
  #lastTryMs = 0;

  constructor(host: RewriteHost) {
    this.#h = host;
  }

  get #info() {
    return this.#h.srv.stats.persistence;
  }

  get inProgress(): boolean {
    return this.#job !== null;
  }

  get scheduled(): boolean {
    return this.#scheduled;
  }

  set scheduled(v: boolean) {
    this.#scheduled = v;
    this.#info.aofRewriteScheduled = v;
  }

  /** BGREWRITEAOF. */
  bgrewrite(): RewriteStart {
    if (this.#job !== null) return "in-progress";
    if (this.#h.srv.rdb.bgsaveInProgress) {
      this.schedule();
      return "scheduled";
    }
    return this.start() ? "started" : "error";
  }

  /** Run a rewrite once no other background job (or transaction) is in the way. */
  schedule(): void {
    this.scheduled = true;
    this.#info.aofRewritesConsecutiveFailures = 0;
  }

  /** The rewrite in progress: resolves to its success (false when none). */
  wait(): Promise<boolean> {
    return this.#job === null ? Promise.resolve(false) : this.#job.done;
  }

  /** The serverCron part: a scheduled rewrite, a retry while turning on, automatic rewrites. */
  cron(currentSize: number, baseSize: number): void {
    const h = this.#h;
    if (this.#job !== null || h.srv.rdb.bgsaveInProgress) return;
    const now = Date.now();
    if (this.#scheduled) {
      this.scheduled = false;
      this.start();
      return;
    }
    if (h.state === "wait_rewrite") {
      if (now - this.#lastTryMs >= RETRY_MS) this.start();
      return;
    }
    if (h.state !== "on") return;
    const cfg = h.srv.config;
    const perc = cfg.num("auto-aof-rewrite-percentage");
    if (perc === 0 || currentSize <= cfg.num("auto-aof-rewrite-min-size") || this.#limited(now)) return;
    const growth = Math.floor((currentSize * 100) / (baseSize === 0 ? 1 : baseSize)) - 100;
    if (growth >= perc) {
      h.srv.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
      this.start();
    }
  }

  /** Matches Redis: after 3 failed rewrites in a row, automatic ones back off (1 min doubling, up to 1 h). */
  #limited(now: number): boolean {
    const n = this.#info.aofRewritesConsecutiveFailures;
    if (n < 3) return false;
    return now - this.#lastTryMs < Math.min(60_000 * 2 ** (n - 3), 3_600_000);
  }

  /**
   * Redis's rewriteAppendOnlyFileBackground: what is buffered goes to the current incr file; a
   * new incr file takes the writes from now on (listed in the manifest at once when the AOF is
   * on; a temp file while it is being turned on); then the base is written from a snapshot of
   * this instant, between event-loop turns.
   */
  start(): boolean {
    const h = this.#h;
    const srv = h.srv;
    this.#lastTryMs = Date.now();
    const dir = h.dir;
    const fn = h.fn;
    let tempIncr: string | null = null;
    try {
      mkdirSync(dir, { recursive: true });
      if (h.state === "on") {
        if (!h.flushAll()) throw new Error("can't write the AOF buffer");
        const m = cloneManifest(h.manifest);
        const seq = m.incrSeq + 1;
        const name = aofNames.incr(fn, seq);
        const fd = openSync(join(dir, name), "a", 0o644);
        try {
          m.incrs.push({ name, seq, type: "i" });
          m.incrSeq = seq;
          persistManifest(dir, fn, m);
        } catch (e) {
          closeSync(fd);
          void rm(join(dir, name), { force: true });
          throw e;
        }
        srv.log.notice(`Creating AOF incr file ${name} on background rewrite`);
        h.manifest = m;
        h.useIncr(fd, dir);
      } else if (h.state === "wait_rewrite") {
        tempIncr = join(dir, aofNames.tempIncr(fn));
        const fd = openSync(tempIncr, "w", 0o644);
        srv.log.notice(`Creating AOF incr file ${aofNames.tempIncr(fn)} on background rewrite`);
        h.useIncr(fd, dir);
      }
    } catch (e) {
      srv.log.warning(`Can't open new incr AOF file for AOF rewrite: ${strerror(e)}`);
      this.#failed();
      return false;
    }
    const ser = newBaseSerializer(srv.dbs, h.preamble, srv.rdb.saveOptions(true));
    const job: Job = {
      job: new BaseFileJob(join(dir, aofNames.tempBase(process.pid)), ser),
      startMs: srv.clock.now(),
      tempIncr,
      done: Promise.resolve(false),
    };
    this.#job = job;
    const p = this.#info;
    p.aofRewriteInProgress = true;
    p.aofCurrentRewriteStartMs = job.startMs;
    srv.log.notice("Background append only file rewriting started");
    job.done = job.job.run(srv.config.get("aof-rewrite-incremental-fsync") === "yes").then((err) => this.#done(job, err));
    return true;
  }

  /** The base is written (or failed): swap the manifest, retire history files. */
  #done(job: Job, err: Error | null): boolean {
    if (this.#job !== job) return false;
    const h = this.#h;
    const srv = h.srv;
    const p = this.#info;
    this.#job = null;
    p.aofRewriteInProgress = false;
    p.aofCurrentRewriteStartMs = -1;
    p.aofLastRewriteTimeSec = Math.floor((srv.clock.now() - job.startMs) / 1000);
    if (err !== null) {
      srv.log.warning(`Background AOF rewrite terminated with error: ${strerror(err)}`);
      this.#discard(job);
      this.#failed();
      return false;
    }
    const dir = h.dir;
    const fn = h.fn;
    const m = cloneManifest(h.manifest);
    const baseSeq = m.baseSeq + 1;
    const baseName = aofNames.base(fn, baseSeq, h.preamble);
    const tempBase = aofNames.tempBase(process.pid);
    const renamed: [now: string, was: string][] = [];
    try {
      renameSync(job.job.path, join(dir, baseName));
      renamed.push([join(dir, baseName), job.job.path]);
      if (m.base !== null) m.history.push({ ...m.base, type: "h" });
      m.base = { name: baseName, seq: baseSeq, type: "b" };
      m.baseSeq = baseSeq;
      // Every incr file but the one opened when this rewrite began is history now (all of them
      // when the AOF is off: nothing appends to an incr file then).
      const keep = h.state === "on" ? m.incrs.slice(-1) : [];
      for (const f of m.incrs) if (!keep.includes(f)) m.history.push({ ...f, type: "h" });
      m.incrs = keep;
      if (job.tempIncr !== null) {
        // Turning on: the writes since the rewrite began become the first incr file.
        h.flushAll();
        const seq = m.incrSeq + 1;
        const name = aofNames.incr(fn, seq);
        renameSync(job.tempIncr, join(dir, name));
        renamed.push([join(dir, name), job.tempIncr]);
        m.incrs = [{ name, seq, type: "i" }];
        m.incrSeq = seq;
      }
      persistManifest(dir, fn, m);
    } catch (e) {
      for (const [now, was] of renamed.reverse()) {
        try {
          renameSync(now, was);
        } catch {
          // left as it is: the old manifest does not name it
        }
      }
      srv.log.warning(`Error trying to rename the temporary AOF base file ${tempBase} into ${baseName}: ${strerror(e)}`);
      this.#discard(job);
      this.#failed();
      return false;
    }
    srv.log.notice(`Successfully renamed the temporary AOF base file ${tempBase} into ${baseName}`);
    h.manifest = m;
    if (h.state === "wait_rewrite") {
      h.turnedOn();
      srv.log.notice("AOF rewrite during appendonly enable was successful");
    }
    h.rewritten(job.job.size);
    p.aofRewrites++;
    p.aofLastBgrewriteOk = true;
    p.aofRewritesConsecutiveFailures = 0;
    this.deleteHistory();
    srv.log.notice("Background AOF rewrite finished successfully");
    return true;
  }

  /** A failed or abandoned rewrite: its temp files go (and the temp incr file, when turning on). */
  #discard(job: Job): void {
    void rm(job.job.path, { force: true });
    if (job.tempIncr === null) return;
    if (this.#h.state === "wait_rewrite") this.#h.dropIncr();
    rmSync(job.tempIncr, { force: true });
  }

  #failed(): void {
    const p = this.#info;
    p.aofLastBgrewriteOk = false;
    p.aofRewritesConsecutiveFailures++;
  }

  /** Stop the rewrite in progress (appendonly no, shutdown, a new appendonly yes). */
  abort(): void {
    const job = this.#job;
    if (job === null) return;
    this.#job = null;
    job.job.abort();
    this.#discard(job);
    const p = this.#info;
    p.aofRewriteInProgress = false;
    p.aofCurrentRewriteStartMs = -1;
  }

  /**
   * Shutdown while appendonly yes is still writing its first base: Redis refuses to exit then;
   * we write the whole base now instead (nothing else runs meanwhile), so the AOF holds the
   * dataset at exit. The incr file is created at the next start.
   */
  completeNow(): void {
    const h = this.#h;
    const srv = h.srv;
    if (h.state !== "wait_rewrite") return;
    this.abort();
    const dir = h.dir;
    const fn = h.fn;
    const m = cloneManifest(h.manifest);
    const seq = m.baseSeq + 1;
    const name = aofNames.base(fn, seq, h.preamble);
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = join(dir, aofNames.tempBase(process.pid));
      writeFileDurable(tmp, serializeAll(newBaseSerializer(srv.dbs, h.preamble, srv.rdb.saveOptions(true))));
      renameSync(tmp, join(dir, name));
      if (m.base !== null) m.history.push({ ...m.base, type: "h" });
      for (const f of m.incrs) m.history.push({ ...f, type: "h" });
      m.base = { name, seq, type: "b" };
      m.baseSeq = seq;
      m.incrs = [];
      persistManifest(dir, fn, m);
      h.manifest = m;
      srv.log.notice(`Writing initial AOF at shutdown: ${name}`);
    } catch (e) {
      srv.log.warning(`Error writing the initial AOF at shutdown: ${strerror(e)}`);
    }
  }

  /** Redis's aofDelHistoryFiles: unlink history files off the request path, then forget them. */
  deleteHistory(): void {
    const h = this.#h;
    const history = h.manifest.history;
    if (history.length === 0) return;
    const dir = h.dir;
    const names = new Set(history.map((f) => f.name));
    for (const f of history) h.srv.log.notice(`Removing the history file ${f.name} in the background`);
    void Promise.all(history.map((f) => rm(join(dir, f.name), { force: true }).catch(() => {}))).then(() => {
      const m = cloneManifest(h.manifest);
      m.history = m.history.filter((f) => !names.has(f.name));
      try {
        persistManifest(dir, h.fn, m);
        h.manifest = m;
      } catch {
        // The entries stay listed; the next rewrite or start-up deletes them again.
      }
    });
  }
}
