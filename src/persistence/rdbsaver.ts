// RDB persistence for a server: SAVE, BGSAVE (the incremental snapshot driven between event-loop
// turns), save points checked by the cron, start-up load, DEBUG RELOAD, the final save of
// SHUTDOWN/SIGTERM, the MISCONF write refusal, DUMP/RESTORE payloads, and INFO persistence's
// rdb_* numbers. The server owns one; commands reach it as server.rdb.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { VERSION, type Server } from "../server.ts";
import { paramDef } from "../config.ts";
import type { Value } from "../types/value.ts";
import { encodeRdb, loadRdb, type RdbLoadResult, type RdbSaveOptions } from "./rdb.ts";
import type { EncodingLimits } from "./rdbreader.ts";
import { Snapshot } from "./snapshot.ts";
import { AtomicFile, writeFileAtomicSync } from "./rdbfile.ts";
import { decodeDump, encodeDump, verifyDump } from "./dump.ts";
import { RdbFormatError } from "./rdberror.ts";

/** Redis's MISCONF reply when a save failed and stop-writes-on-bgsave-error is on. */
export const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/** Redis retries a failed BGSAVE from save points only after this many seconds. */
const BGSAVE_RETRY_DELAY_S = 5;
/** A snapshot slice runs this long before yielding to clients. */
const SLICE_MS = 1;

export interface ShutdownFlags {
  save?: boolean;
  nosave?: boolean;
  force?: boolean;
}

interface Background {
  snap: Snapshot;
  file: AtomicFile | null;
  aborted: boolean;
  startMs: number;
  dirtyAtStart: number;
  done: Promise<boolean>;
}

export class RdbPersistence {
  readonly #srv: Server;
  #bg: Background | null = null;
  /** BGSAVE SCHEDULE asked for one while another background job ran. */
  scheduled = false;
  /** Unix seconds of the last BGSAVE attempt (for the retry delay after a failure). */
  #lastBgsaveTry = 0;
  #savePoints: [seconds: number, changes: number][] = [];
  #stopWrites = true;
  /** Write commands (and PING) are refused with MISCONF_RDB: read by the dispatcher. */
  denyWrites = false;
  /** Makes temp names unique across concurrent background saves of one process. */
  #seq = 0;

  constructor(srv: Server) {
    this.#srv = srv;
    const cfg = srv.config;
    this.#savePoints = parseSavePoints(cfg.get("save"));
    this.#stopWrites = cfg.get("stop-writes-on-bgsave-error") === "yes";
    cfg.onChange("save", (v) => {
      this.#savePoints = parseSavePoints(v);
      this.#updateDeny();
      return null;
    });
    cfg.onChange("stop-writes-on-bgsave-error", (v) => {
      this.#stopWrites = v === "yes";
      this.#updateDeny();
      return null;
    });
  }

  get #info() {
    return this.#srv.stats.persistence;
  }

  #updateDeny(): void {
    this.denyWrites = this.#stopWrites && this.#savePoints.length > 0 && !this.#info.lastBgsaveOk;
  }

  /** Save points are configured (SHUTDOWN and SIGTERM then save by default). */
  get hasSavePoints(): boolean {
    return this.#savePoints.length > 0;
  }

  /** The directory dumps go to: `dir`, relative to the working directory. */
  get dir(): string {
    const d = this.#srv.config.get("dir");
    return d === "" ? process.cwd() : isAbsolute(d) ? d : resolve(d);
  }

  get path(): string {
    return join(this.dir, this.#srv.config.get("dbfilename"));
  }

  get bgsaveInProgress(): boolean {
    return this.#bg !== null;
  }

  /** The options a save of this server uses (also for the AOF's RDB preamble, with aofBase). */
  saveOptions(aofBase = false): RdbSaveOptions {
    const cfg = this.#srv.config;
    const policy = cfg.get("maxmemory-policy");
    return {
      compression: cfg.get("rdbcompression") === "yes",
      checksum: cfg.get("rdbchecksum") === "yes",
      listFill: cfg.num("list-max-listpack-size"),
      aofBase,
      now: this.#srv.clock.now(),
      redisVersion: VERSION,
      evictionMeta: policy.endsWith("-lru") ? "lru" : policy.endsWith("-lfu") ? "lfu" : "none",
    };
  }

  /** The encoding limits loaded values follow (the configured *-max-listpack-* settings). */
  loadLimits(): EncodingLimits {
    const cfg = this.#srv.config;
    const listpackSets = paramDef("set-max-listpack-entries") !== undefined;
    return {
      hashEntries: cfg.num("hash-max-listpack-entries"),
      hashValue: cfg.num("hash-max-listpack-value"),
      zsetEntries: cfg.num("zset-max-listpack-entries"),
      zsetValue: cfg.num("zset-max-listpack-value"),
      setIntsetEntries: cfg.num("set-max-intset-entries"),
      setListpackEntries: listpackSets ? cfg.num("set-max-listpack-entries") : 0,
      setListpackValue: listpackSets ? cfg.num("set-max-listpack-value") : 0,
    };
  }

  #saved(dirtyAtStart: number, counted = true): void {
    const p = this.#info;
    p.dirtyAtLastSave = dirtyAtStart;
    p.lastSaveTime = Math.floor(this.#srv.clock.now() / 1000);
    p.lastBgsaveOk = true;
    if (counted) p.rdbSaves++;
    this.#updateDeny();
  }

  #failed(): void {
    this.#info.lastBgsaveOk = false;
    this.#updateDeny();
  }

  /**
   * Redis's rdbSave: write the whole keyspace now. Logs and returns false on failure.
   * `counted` false leaves rdb_saves alone (the save FLUSHALL makes, as in Redis).
   */
  saveSync(counted = true): boolean {
    const srv = this.#srv;
    const temp = `temp-${process.pid}.rdb`;
    const dirty = srv.dirty;
    let bytes: Uint8Array;
    try {
      bytes = encodeRdb(srv.dbs, this.saveOptions());
    } catch (e) {
      srv.log.warning(`Error saving DB: ${(e as Error).message}`);
      return false;
    }
    try {
      writeFileAtomicSync(this.dir, srv.config.get("dbfilename"), temp, bytes);
    } catch (e) {
      logSaveError(srv, temp, this.dir, e);
      return false;
    }
    srv.log.notice("DB saved on disk");
    this.#saved(dirty, counted);
    return true;
  }

  /**
   * Redis's rdbSaveBackground: start an incremental snapshot. Returns false (and logs) when it
   * could not start; the outcome of the save itself lands in INFO and the log.
   */
  bgsave(): boolean {
    if (this.#bg !== null) return false;
    const srv = this.#srv;
    this.#lastBgsaveTry = Math.floor(srv.clock.now() / 1000);
    const snap = new Snapshot(srv.dbs, this.saveOptions());
    const bg: Background = {
      snap,
      file: null,
      aborted: false,
      startMs: srv.clock.now(),
      dirtyAtStart: srv.dirty,
      done: Promise.resolve(false),
    };
    this.#bg = bg;
    const p = this.#info;
    p.bgsaveInProgress = true;
    p.currentBgsaveStartMs = bg.startMs;
    srv.log.notice("Background saving started");
    bg.done = this.#runBackground(bg);
    return true;
  }

  async #runBackground(bg: Background): Promise<boolean> {
    const srv = this.#srv;
    const temp = `temp-${process.pid}-${++this.#seq}.rdb`;
    let ok = false;
    try {
      bg.file = await AtomicFile.create(this.dir, srv.config.get("dbfilename"), temp);
      while (!bg.aborted) {
        await new Promise<void>((r) => setImmediate(r));
        if (bg.aborted) break;
        const done = bg.snap.step(performance.now() + SLICE_MS);
        if (done) break;
        const chunk = bg.snap.take();
        if (chunk !== null) await bg.file.write(chunk);
      }
      if (!bg.aborted) {
        await bg.file.write(bg.snap.finish());
        await bg.file.commit();
        ok = true;
      }
    } catch (e) {
      logSaveError(srv, temp, this.dir, e);
    } finally {
      bg.snap.detach();
      if (!ok) await bg.file?.abort();
    }
    if (bg.aborted) return false;
    const p = this.#info;
    p.bgsaveInProgress = false;
    p.currentBgsaveStartMs = -1;
    p.lastBgsaveTimeSec = Math.floor((srv.clock.now() - bg.startMs) / 1000);
    this.#bg = null;
    if (ok) {
      srv.log.notice("DB saved on disk");
      srv.log.notice("Background saving terminated with success");
      this.#saved(bg.dirtyAtStart);
    } else {
      srv.log.warning("Background saving error");
      this.#failed();
    }
    return ok;
  }

  /** [keys written, keys in all] of the background save in progress, or [0, 0]. */
  saveProgress(): [number, number] {
    const bg = this.#bg;
    return bg === null ? [0, 0] : [bg.snap.processed, bg.snap.total];
  }

  /** Wait for the background save in progress (tests, DEBUG); resolves to its success. */
  async waitBgsave(): Promise<boolean> {
    return this.#bg === null ? false : this.#bg.done;
  }

  /** Stop a background save and delete its temp file (shutdown, or a FLUSHALL that supersedes it). */
  abortBgsave(): void {
    const bg = this.#bg;
    if (bg === null) return;
    bg.aborted = true;
    bg.snap.detach();
    bg.file?.abortSync();
    this.#bg = null;
    const p = this.#info;
    p.bgsaveInProgress = false;
    p.currentBgsaveStartMs = -1;
    this.#srv.log.warning("Background saving aborted");
  }

  /** The serverCron part: save points, and a BGSAVE SCHEDULE waiting for its turn. */
  cron(): void {
    if (this.#bg !== null) return;
    const srv = this.#srv;
    const p = this.#info;
    if (this.scheduled && !p.aofRewriteInProgress) {
      this.scheduled = false;
      this.bgsave();
      return;
    }
    if (this.#savePoints.length === 0 || p.aofRewriteInProgress) return;
    const now = Math.floor(srv.clock.now() / 1000);
    const changes = srv.dirty - p.dirtyAtLastSave;
    for (const [secs, min] of this.#savePoints) {
      // Matches Redis: after a failure, retry only every few seconds.
      if (changes >= min && now - p.lastSaveTime > secs && (now - this.#lastBgsaveTry > BGSAVE_RETRY_DELAY_S || p.lastBgsaveOk)) {
        srv.log.notice(`${min} changes in ${secs} seconds. Saving...`);
        this.bgsave();
        return;
      }
    }
  }

  /** Load a dump into the (empty, or merged) databases and record INFO's load counters. */
  load(path: string, merge = false): RdbLoadResult {
    const srv = this.#srv;
    const bytes = readFileSync(path);
    const p = this.#info;
    p.loading = true;
    try {
      const r = loadRdb(bytes, srv.dbs, srv.clock.now(), {
        limits: this.loadLimits(),
        lfu: srv.config.get("maxmemory-policy").endsWith("-lfu"),
        replaceExisting: merge,
      });
      p.lastLoadKeysLoaded = r.keys;
      p.lastLoadKeysExpired = r.expired;
      return r;
    } finally {
      p.loading = false;
    }
  }

  /**
   * Start-up with appendonly no: load dbfilename from dir when it exists, logging as Redis does.
   * A malformed or unreadable file throws an Error named "RdbLoadError" (start-up must stop; the
   * file is left untouched).
   */
  loadAtStartup(): void {
    const srv = this.#srv;
    const path = this.path;
    if (!existsSync(path)) return;
    const t0 = performance.now();
    let r: RdbLoadResult;
    try {
      r = this.load(path);
    } catch (e) {
      const err = new Error(e instanceof RdbFormatError ? `Bad RDB file ${path}: ${e.message}` : `Can't load RDB file ${path}: ${describe(e)}`);
      err.name = "RdbLoadError";
      throw err;
    }
    const secs = (performance.now() - t0) / 1000;
    srv.log.notice(`Done loading RDB, keys loaded: ${r.keys}, keys expired: ${r.expired}.`);
    srv.log.notice(`DB loaded from disk: ${secs.toFixed(3)} seconds`);
  }

  /**
   * FLUSHALL's part (Redis's flushAllDataAndResetRDB): a background save of the old data is
   * dropped, and with save points set the now empty dataset is saved at once.
   */
  afterFlushAll(): void {
    this.abortBgsave();
    if (this.hasSavePoints) this.saveSync(false);
  }

  /** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: null on success, else the error reply. */
  debugReload(merge: boolean, flush: boolean, save: boolean): string | null {
    const srv = this.#srv;
    if (save && !this.saveSync()) return "ERR";
    if (flush) for (const db of srv.dbs) db.flush();
    try {
      this.load(this.path, merge);
    } catch (e) {
      srv.log.warning(`Error trying to load the RDB dump: ${describe(e)}`);
      return "ERR Error trying to load the RDB dump";
    }
    srv.log.notice("DB reloaded by DEBUG RELOAD");
    return null;
  }

  /**
   * Redis's prepareForShutdown, RDB part: stop a background save, then save when asked (SAVE) or
   * when save points are set (unless NOSAVE). Returns false when the save failed and FORCE was
   * not given: the server must keep running.
   */
  prepareShutdown(flags: ShutdownFlags): boolean {
    const srv = this.#srv;
    if (this.#bg !== null) {
      srv.log.warning("There is a child saving an .rdb. Killing it!");
      this.abortBgsave();
    }
    if ((this.hasSavePoints || flags.save) && !flags.nosave) {
      srv.log.notice("Saving the final RDB snapshot before exiting.");
      if (!this.saveSync()) {
        if (flags.force) {
          srv.log.warning("Error trying to save the DB. Exit anyway.");
        } else {
          srv.log.warning("Error trying to save the DB, can't exit.");
          return false;
        }
      }
    }
    return true;
  }

  /** DUMP's payload for a value. */
  dump(v: Value): Uint8Array {
    return encodeDump(v, this.saveOptions());
  }

  /** RESTORE: "checksum" when the version/CRC is wrong, "format" when the body is bad, else the value. */
  restore(payload: Uint8Array, key: string): Value | "checksum" | "format" {
    if (!verifyDump(payload)) return "checksum";
    return decodeDump(payload, key, this.loadLimits()) ?? "format";
  }
}

function parseSavePoints(v: string): [number, number][] {
  const parts = v.split(" ").filter((x) => x !== "");
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push([Number(parts[i]), Number(parts[i + 1])]);
  return out;
}

/** Redis's log line for a failed save: opening the temp file, or writing it. */
function logSaveError(srv: Server, temp: string, dir: string, e: unknown): void {
  if ((e as { stage?: string }).stage === "open") {
    srv.log.warning(`Failed opening the temp RDB file ${temp} (in server root dir ${dir}) for saving: ${describe(e)}`);
  } else {
    srv.log.warning(`Write error saving DB on disk: ${describe(e)}`);
  }
}

/** An fs error as Redis words it (strerror), else the message. */
function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT": return "No such file or directory";
    case "ENOTDIR": return "Not a directory";
    case "EACCES": return "Permission denied";
    case "ENOSPC": return "No space left on device";
    case "EROFS": return "Read-only file system";
    case "EISDIR": return "Is a directory";
    default: return (e as Error).message;
  }
}
