// The dispatcher: Redis's processCommand + call. Looks the command up, checks arity and auth
// once, runs the handler, counts stats and propagates writes. Handlers never do these things.
import { E, unknownCommand, unknownSubcommand, wrongArity } from "../errors.ts";
import type { Context } from "./context.ts";
import { LatencyHistogram } from "../stats.ts";
import type { Command } from "./table.ts";
import { discardTransaction } from "./transaction.ts";
import { SUBSCRIBED_MODE_ALLOWED, subscribedModeError } from "../pubsub.ts";
import { observeCall, touchesKeyspace } from "./diagnostics.ts";

/** Redis's preview of the arguments of an unknown command: 'a' 'b' … up to ~128 chars. */
function argsPreview(c: Context, from: number): string {
  let s = "";
  for (let i = from; i < c.args.argc && s.length < 128; i++) s += `'${c.args.str(i).slice(0, 128 - s.length)}' `;
  return s;
}

/**
 * Refuse the request before it runs (Redis's rejectCommand): reply with the error and, inside
 * MULTI, doom the transaction so EXEC answers EXECABORT.
 */
function rejectWith(c: Context, msg: string): void {
  if (c.multi !== null) c.multiAborted = true;
  c.error(msg);
}

/** Refuse a resolved command: counted in its rejected_calls. */
function reject(c: Context, cmd: Command, msg: string): true {
  cmd.stats.rejected++;
  // Matches Redis: a refused EXEC also ends the transaction, naming the reason.
  if (cmd.spec.name === "exec") {
    discardTransaction(c);
    // (Redis's own formatted errors lose their "ERR " there; shared ones such as NOAUTH keep their code.)
    c.error(`EXECABORT Transaction discarded because of: ${msg.startsWith("ERR ") ? msg.slice(4) : msg}`);
  } else {
    rejectWith(c, msg);
  }
  return true;
}

/** Commands that run at once inside MULTI instead of being queued. */
const UNQUEUED = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/** Resolve argv to a command or subcommand, replying with Redis's error if there is none. */
function resolve(c: Context): Command | null {
  const cmd = c.server.table.lookup(c.args);
  if (cmd === undefined) {
    rejectWith(c, unknownCommand(c.args.str(0).slice(0, 128), argsPreview(c, 1)));
    return null;
  }
  if (cmd.subs === null || c.args.argc < 2) return cmd;
  const sub = cmd.subs.get(c.args.str(1).toLowerCase());
  if (sub === undefined) {
    rejectWith(c, unknownSubcommand(c.args.str(1).slice(0, 128), cmd.spec.name));
    return null;
  }
  return sub;
}

/**
 * Execute the request in c.args, writing its reply to c.reply. Returns false when CLIENT PAUSE
 * holds it: nothing ran, and the caller runs the same request again once the pause ends.
 */
export function processCommand(c: Context): boolean {
  if (c.replyMode === "on") return dispatch(c);
  // CLIENT REPLY OFF/SKIP: run the command, then drop what it wrote, unless it turned replies
  // back on (CLIENT REPLY ON, RESET). A SKIP is used up by this one command.
  const mode = c.replyMode;
  const mark = c.reply.pos;
  if (mode === "skip") c.replyMode = "on";
  c.muted = true;
  const ran = dispatch(c);
  if (!ran) c.replyMode = mode;
  else if (c.muted) c.reply.pos = mark;
  c.muted = false;
  return ran;
}

/** CLIENT PAUSE: must this command wait (every command, or only writes and may-replicate ones)? */
function pausedFor(c: Context, cmd: Command): boolean {
  const srv = c.server;
  if (srv.clock.now() >= srv.pauseUntilMs) {
    srv.pauseUntilMs = 0;
    return false;
  }
  if (!srv.pauseWritesOnly) return true;
  // Matches Redis: EXEC waits when its queue holds a write.
  const writes = (k: Command) => k.isWrite || k.spec.flags.includes("may_replicate");
  if (cmd.spec.name === "exec" && c.multi !== null) return c.multi.some((q) => writes(q.cmd));
  return writes(cmd);
}

function dispatch(c: Context): boolean {
  const srv = c.server;
  const cmd = resolve(c);
  if (cmd === null) {
    srv.stats.rejectedUnknown++;
    return true;
  }
  c.cmd = cmd;
  // A container alone is an arity error, unless it has a handler of its own (bare COMMAND).
  if (!cmd.arityOk(c.args.argc) || (cmd.subs !== null && c.args.argc < 2 && !cmd.spec.run)) {
    return reject(c, cmd, wrongArity(cmd.fullName));
  }
  // Matches Redis: auth is required only while the default user has a password, so clearing
  // requirepass at run time lets unauthenticated clients in.
  if (!c.authenticated && !cmd.noAuth && srv.config.requirepass !== "") return reject(c, cmd, E.noAuth);
  // Matches Redis: after a failed save with stop-writes-on-bgsave-error, writes (an EXEC holding
  // one too) and PING are refused until a save succeeds.
  // The same for a failed AOF write or fsync (the AOF's own MISCONF text).
  if ((srv.rdb.denyWrites || srv.aof.denyWrites) && (cmd.isWrite || cmd.spec.name === "ping" || (cmd.spec.name === "exec" && c.multi?.some((q) => q.cmd.isWrite) === true))) {
    return reject(c, cmd, srv.rdb.denyWrites ? E.misconfRdb : srv.aof.misconf());
  }
  // Matches Redis: a MONITOR client is a replica and may not touch the keyspace.
  if (c.monitor && touchesKeyspace(cmd)) {
    return reject(c, cmd, "ERR Replica can't interact with the keyspace");
  }
  // Matches Redis: a RESP2 client in subscribed mode may only (un)subscribe, PING, QUIT, RESET.
  if (c.pubsub !== null && c.reply.proto === 2 && !SUBSCRIBED_MODE_ALLOWED.has(cmd.fullName)) {
    return reject(c, cmd, subscribedModeError(cmd.fullName));
  }
  // Matches Redis: a paused command waits only once every check passed (errors reply at once).
  if (srv.pauseUntilMs !== 0 && pausedFor(c, cmd)) return false;
  if (c.multi !== null && !UNQUEUED.has(cmd.parent?.spec.name ?? cmd.spec.name)) {
    if (cmd.spec.flags.includes("no_multi")) return reject(c, cmd, "ERR Command not allowed inside a transaction");
    // Matches Redis: a transaction already doomed keeps nothing (CLIENT LIST then shows multi=0).
    if (!c.dirtyCas && !c.multiAborted) c.multi.push({ cmd, args: c.args.clone() });
    c.reply.simple("QUEUED");
    return true;
  }
  call(c, cmd);
  // Matches Redis: clients blocked on keys this command (or a whole EXEC) filled are served
  // only once it finished, so they see its final effect.
  if (srv.blocking.pending) srv.blocking.serveReady();
  return true;
}

/** Run a resolved command: time it, count it, propagate it if it changed the keyspace. */
export function call(c: Context, cmd: Command): void {
  const srv = c.server;
  const dirtyBefore = srv.dirty;
  c.propagateAs = null;
  c.forcePropagation = false;
  c.failed = false;
  // Inside a pipelined batch the previous command's end is this one's start (only its request
  // parsing lies between): one clock read per command instead of two.
  const chained = srv.callChain;
  const t0 = chained >= 0 ? chained : performance.now();
  cmd.spec.run!(c);
  const t1 = performance.now();
  if (chained !== -1) srv.callChain = t1;
  const elapsedMs = t1 - t0;
  const us = Math.round(elapsedMs * 1000);
  const st = cmd.stats;
  st.calls++;
  st.usec += us;
  if (srv.stats.latencyTracking) (st.latency ??= new LatencyHistogram()).record(elapsedMs * 1e6);
  if (c.failed) st.failed++;
  srv.stats.commandsProcessed++;
  // SLOWLOG, LATENCY and MONITOR (commands/diagnostics.ts), only when one of them may care.
  if (us >= srv.slowlog.slowerThan || us >= srv.latency.thresholdUs || srv.monitors.active || c.blocked) observeCall(c, cmd, us);
  if ((srv.dirty !== dirtyBefore || c.forcePropagation) && srv.propagation.active) {
    // An empty propagateAs means the command propagated its effects itself (EXEC).
    // Unchanged requests go out as their parsed argv (no strings built for byte-level listeners).
    const argv = c.propagateAs as Context["propagateAs"];
    if (argv === null) srv.propagation.emitArgs(c.db.id, c.args);
    else if (argv.length !== 0) srv.propagation.emit(c.db.id, argv);
  }
}
