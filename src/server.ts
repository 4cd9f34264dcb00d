// The server: owns the databases, the clients, the command table, the cron timer and the
// propagation bus; wires the listener; defines start-up and shutdown order.
import { Config } from "./config.ts";
import { Logger, type LogLevel } from "./log.ts";
import { Propagation } from "./propagation.ts";
import { Stats } from "./stats.ts";
import { Db, type KeyspaceHooks } from "./keyspace/db.ts";
import { activeExpireCycle } from "./keyspace/expire.ts";
import { setListMaxListpackSize } from "./types/list.ts";
import { BlockingRegistry } from "./keyspace/blocking.ts";
import { WatchRegistry } from "./keyspace/watch.ts";
import { PubSub } from "./pubsub.ts";
import { NOTIFY_EXPIRED, NOTIFY_NEW } from "./notifications.ts";
import { BatchClock, type Clock } from "./util/clock.ts";
import { CommandTable } from "./commands/table.ts";
import { Context } from "./commands/context.ts";
import { FAMILIES } from "./commands/families.ts";
import { Listener } from "./net/listener.ts";
import { SlowLog } from "./slowlog.ts";
import { LatencyMonitor } from "./latency.ts";
import { Monitors } from "./monitor.ts";
import { RdbPersistence } from "./persistence/rdbsaver.ts";
import { Aof } from "./persistence/aof.ts";

export const VERSION = "7.2.4";
export const KVSERVER_VERSION = "0.1.0";

export interface ServerOptions {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
  /** Load the dump (appendonly no) at start(); default true (tests without a dir turn it off). */
  loadOnStart?: boolean;
}

export class Server {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly table: CommandTable;
  readonly stats = new Stats();
  readonly propagation = new Propagation();
  /** Clients parked by blocking commands (BLPOP …) and the keys they wait on. */
  readonly blocking: BlockingRegistry;
  /** WATCHed keys and their clients (MULTI/EXEC). */
  readonly watches = new WatchRegistry();
  readonly dbs: Db[];
  /** Channel, pattern and shard-channel subscriptions; message fan-out; keyspace notifications. */
  readonly pubsub: PubSub;
  readonly clients = new Map<number, Context>();
  /** SLOWLOG entries, LATENCY events and MONITOR clients (fed by the dispatcher's call()). */
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  readonly monitors = new Monitors();
  /** RDB persistence: SAVE/BGSAVE, save points, start-up load, DUMP/RESTORE payloads. */
  readonly rdb: RdbPersistence;
  /** The append-only file: logs propagated writes, fsync policy, rewrites, start-up load. */
  readonly aof: Aof;
  /** Installed by main.ts: ends the process after SHUTDOWN stopped the server (null in tests). */
  exitProcess: (() => void) | null = null;
  readonly startMs: number;
  readonly runId: string;
  /** Changes since start (Redis's server.dirty): drives propagation and save points. */
  dirty = 0;
  /**
   * While a connection runs a batch of pipelined requests: when the last command ended
   * (performance.now() ms), which times the next one without a second clock read; -2 before
   * the batch's first command; -1 outside batches (every command reads the clock twice).
   */
  callChain = -1;
  /** DEBUG SET-ACTIVE-EXPIRE */
  activeExpireEnabled = true;
  /** CLIENT PAUSE: until when, and whether only writes are paused. */
  pauseUntilMs = 0;
  pauseWritesOnly = false;
  /** Connections whose input waits for a CLIENT PAUSE to end, in pause order; calling one resumes it. */
  readonly pausedClients = new Set<() => void>();
  #nextClientId = 1;
  #cron: ReturnType<typeof setInterval> | null = null;
  #listener: Listener | null = null;
  #pendingWrites = new Set<Context>();
  #flushScheduled = false;
  #flushers = new Map<Context, () => void>();
  #shutdownHandlers: (() => void)[] = [];
  readonly #loadOnStart: boolean;

  constructor(opts: ServerOptions = {}) {
    this.config = opts.config ?? new Config();
    this.clock = opts.clock ?? new BatchClock();
    this.log = opts.logger ?? new Logger();
    this.#loadOnStart = opts.loadOnStart ?? true;
    this.table = new CommandTable(FAMILIES);
    this.startMs = this.clock.now();
    this.blocking = new BlockingRegistry(this.clock);
    this.slowlog = new SlowLog(this.config);
    this.latency = new LatencyMonitor(this.config);
    this.blocking.onServed = (id) => this.slowlog.served(this.clients.get(id), this.clock.now());
    this.runId = Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0")).join("");
    const hooks: KeyspaceHooks = {
      expired: (db, key) => {
        this.stats.expiredKeys++;
        if (!this.watches.empty) this.watches.touch(db, key);
        this.pubsub.notify(NOTIFY_EXPIRED, "expired", key, db.id);
        // Matches Redis: propagated as UNLINK when lazyfree-lazy-expire is on.
        if (this.propagation.active) {
          this.propagation.emit(db.id, [this.config.get("lazyfree-lazy-expire") === "yes" ? "UNLINK" : "DEL", key]);
        }
      },
      keepExpired: () => false,
      added: (db, key) => this.pubsub.notify(NOTIFY_NEW, "new", key, db.id),
    };
    this.dbs = Array.from({ length: this.config.databases }, (_, i) => new Db(i, this.clock, hooks));
    this.pubsub = new PubSub(this);
    // Runtime effects of CONFIG SET (the values themselves live in Config).
    this.log.level = this.config.get("loglevel") as LogLevel;
    this.config.onChange("loglevel", (v) => {
      this.log.level = v as LogLevel;
      return null;
    });
    this.stats.latencyTracking = this.config.get("latency-tracking") === "yes";
    this.config.onChange("latency-tracking", (v) => {
      this.stats.latencyTracking = v === "yes";
      return null;
    });
    setListMaxListpackSize(this.config.num("list-max-listpack-size"));
    this.config.onChange("list-max-listpack-size", (v) => {
      setListMaxListpackSize(Number(v));
      return null;
    });
    this.config.onChange("hz", () => {
      if (this.#cron) this.#startCron();
      return null;
    });
    // LFU counters are kept per key only under an LFU maxmemory-policy (OBJECT FREQ, eviction).
    const syncLfu = (): null => {
      const lfu = this.config.get("maxmemory-policy").endsWith("-lfu");
      const factor = this.config.num("lfu-log-factor");
      const decay = this.config.num("lfu-decay-time");
      for (const db of this.dbs) {
        db.lfu = lfu;
        db.lfuLogFactor = factor;
        db.lfuDecayTime = decay;
      }
      return null;
    };
    syncLfu();
    for (const p of ["maxmemory-policy", "lfu-log-factor", "lfu-decay-time"]) this.config.onChange(p, syncLfu);
    this.rdb = new RdbPersistence(this);
    this.aof = new Aof(this);
  }

  #startCron(): void {
    if (this.#cron) clearInterval(this.#cron);
    this.#cron = setInterval(() => this.cron(), 1000 / this.config.hz);
  }

  /** A new client context bound to db 0 (the net layer attaches its socket). */
  newClient(): Context {
    const c = new Context(this, this.#nextClientId++, this.dbs[0]!);
    this.clients.set(c.id, c);
    return c;
  }

  removeClient(c: Context): void {
    this.clients.delete(c.id);
    this.#pendingWrites.delete(c);
    this.#flushers.delete(c);
    if (c.blocked) this.blocking.remove(c.id);
    if (c.watched.length !== 0) this.watches.unwatchAll(c);
    if (c.pubsub !== null) this.pubsub.removeClient(c);
    this.monitors.remove(c);
    this.slowlog.forget(c.id);
  }

  /** Register how a client's replies reach its socket (the net layer does this). */
  setFlusher(c: Context, flush: () => void): void {
    this.#flushers.set(c, flush);
  }

  /** Ask for a client's buffered output to be written at the end of this tick (pub/sub, MONITOR). */
  requestFlush(c: Context): void {
    this.#pendingWrites.add(c);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.flushPending());
  }

  flushPending(): void {
    this.#flushScheduled = false;
    const list = [...this.#pendingWrites];
    this.#pendingWrites.clear();
    for (const c of list) this.#flushers.get(c)?.();
  }

  /**
   * Run before any batch of replies is written (Redis's beforeSleep order: AOF first). False
   * means hold c's replies: the AOF writes (and under always fsyncs) once per event-loop turn
   * for every client, then flushes c again (requestFlush).
   */
  beforeReplies(c?: Context): boolean {
    return this.aof.beforeReplies(c);
  }

  onShutdown(fn: () => void): void {
    this.#shutdownHandlers.push(fn);
  }

  /** Redis's serverCron: active expiry, client timeouts. */
  cron(): void {
    if (this.activeExpireEnabled) {
      const budget = (1000 / this.config.hz) * 0.25;
      const effort = Number(this.config.get("active-expire-effort"));
      const t0 = performance.now();
      activeExpireCycle(this.dbs, () => this.clock.now(), budget, effort);
      const ms = performance.now() - t0;
      this.stats.expireCycleMs += ms;
      this.latency.addIfNeeded("expire-cycle", Math.floor(ms), Math.floor(this.clock.now() / 1000));
    }
    this.stats.sample(performance.now());
    this.rdb.cron();
    this.aof.cron();
    const timeout = this.config.timeout;
    if (timeout > 0) {
      const now = this.clock.now();
      for (const c of this.clients.values()) {
        // Matches Redis: a client waiting in a blocking command (or held by CLIENT PAUSE) is not
        // idle, and a subscriber is never closed for idleness.
        if (now - c.lastInteractionMs > timeout * 1000 && !c.blocked && !c.postponed && c.pubsub === null) {
          this.log.verbose("Closing idle client");
          c.kill();
        }
      }
    }
  }

  async start(): Promise<void> {
    // With appendonly no the dump is the dataset (the AOF, when on, decides its own loading).
    if (this.config.get("appendonly") === "no" && this.#loadOnStart) this.rdb.loadAtStartup();
    // appendonly yes: the AOF is the dataset (throws AofLoadError when it cannot be loaded).
    this.aof.start();
    this.#listener = new Listener(this);
    this.#listener.listen();
    this.#startCron();
  }

  /** SHUTDOWN went through (the final save is done): write what is pending, stop, and exit. */
  shutdownNow(): void {
    this.flushPending();
    this.stop();
    this.exitProcess?.();
  }

  /** The TCP port actually bound (differs from config when port 0 was asked for). */
  get port(): number {
    return this.#listener?.port ?? this.config.port;
  }

  stop(): void {
    if (this.#cron) clearInterval(this.#cron);
    this.#cron = null;
    for (const fn of this.#shutdownHandlers) fn();
    this.rdb.abortBgsave();
    this.aof.shutdown();
    this.#listener?.close();
    this.#listener = null;
    for (const c of [...this.clients.values()]) c.kill();
    this.blocking.clear();
  }
}
