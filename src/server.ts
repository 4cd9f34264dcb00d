// The server: owns the databases, the clients, the command table, the cron timer and the
// propagation bus; wires the listener; defines start-up and shutdown order.
import { Config } from "./config.ts";
import { Logger } from "./log.ts";
import { Propagation } from "./propagation.ts";
import { Stats } from "./stats.ts";
import { Db, type KeyspaceHooks } from "./keyspace/db.ts";
import { activeExpireCycle } from "./keyspace/expire.ts";
import { systemClock, type Clock } from "./util/clock.ts";
import { CommandTable } from "./commands/table.ts";
import { Context } from "./commands/context.ts";
import { FAMILIES } from "./commands/families.ts";
import { Listener } from "./net/listener.ts";

export const VERSION = "7.2.4";
export const KVSERVER_VERSION = "0.1.0";

export interface ServerOptions {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
}

export class Server {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly table: CommandTable;
  readonly stats = new Stats();
  readonly propagation = new Propagation();
  readonly dbs: Db[];
  readonly clients = new Map<number, Context>();
  readonly startMs: number;
  readonly runId: string;
  /** Changes since start (Redis's server.dirty): drives propagation and save points. */
  dirty = 0;
  /** DEBUG SET-ACTIVE-EXPIRE */
  activeExpireEnabled = true;
  /** CLIENT PAUSE: until when, and whether only writes are paused. */
  pauseUntilMs = 0;
  pauseWritesOnly = false;
  #nextClientId = 1;
  #cron: ReturnType<typeof setInterval> | null = null;
  #listener: Listener | null = null;
  #pendingWrites = new Set<Context>();
  #flushScheduled = false;
  #flushers = new Map<Context, () => void>();
  #shutdownHandlers: (() => void)[] = [];

  constructor(opts: ServerOptions = {}) {
    this.config = opts.config ?? new Config();
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? new Logger();
    this.table = new CommandTable(FAMILIES);
    this.startMs = this.clock.now();
    this.runId = Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0")).join("");
    const hooks: KeyspaceHooks = {
      expired: (db, key) => {
        this.stats.expiredKeys++;
        if (this.propagation.active) this.propagation.emit(db.id, ["DEL", key]);
      },
      keepExpired: () => false,
    };
    this.dbs = Array.from({ length: this.config.databases }, (_, i) => new Db(i, this.clock, hooks));
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

  /** Run before any batch of replies is written (Redis's beforeSleep order: AOF first). */
  beforeReplies(): void {
    // Persistence hooks attach here (AOF write + fsync under appendfsync always).
  }

  onShutdown(fn: () => void): void {
    this.#shutdownHandlers.push(fn);
  }

  /** Redis's serverCron: active expiry, client timeouts. */
  cron(): void {
    if (this.activeExpireEnabled) {
      const budget = (1000 / this.config.hz) * 0.25;
      const effort = Number(this.config.get("active-expire-effort"));
      activeExpireCycle(this.dbs, () => this.clock.now(), budget, effort);
    }
    const timeout = this.config.timeout;
    if (timeout > 0) {
      const now = this.clock.now();
      for (const c of this.clients.values()) {
        if (now - c.lastInteractionMs > timeout * 1000) {
          this.log.verbose("Closing idle client");
          c.kill();
        }
      }
    }
  }

  async start(): Promise<void> {
    this.#listener = new Listener(this);
    this.#listener.listen();
    this.#cron = setInterval(() => this.cron(), 1000 / this.config.hz);
  }

  /** The TCP port actually bound (differs from config when port 0 was asked for). */
  get port(): number {
    return this.#listener?.port ?? this.config.port;
  }

  stop(): void {
    if (this.#cron) clearInterval(this.#cron);
    this.#cron = null;
    for (const fn of this.#shutdownHandlers) fn();
    this.#listener?.close();
    this.#listener = null;
    for (const c of [...this.clients.values()]) c.kill();
  }
}
