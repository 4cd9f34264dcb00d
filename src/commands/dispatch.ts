// The dispatcher: Redis's processCommand + call. Looks the command up, checks arity and auth
// once, runs the handler, counts stats and propagates writes. Handlers never do these things.
import { E, unknownCommand, unknownSubcommand, wrongArity } from "../errors.ts";
import type { Context } from "./context.ts";
import { LatencyHistogram } from "../stats.ts";
import type { Command } from "./table.ts";

/** Redis's preview of the arguments of an unknown command: 'a' 'b' … up to ~128 chars. */
function argsPreview(c: Context, from: number): string {
  let s = "";
  for (let i = from; i < c.args.argc && s.length < 128; i++) s += `'${c.args.str(i).slice(0, 128 - s.length)}' `;
  return s;
}

/** Resolve argv to a command or subcommand, replying with Redis's error if there is none. */
function resolve(c: Context): Command | null {
  const cmd = c.server.table.lookup(c.args);
  if (cmd === undefined) {
    c.error(unknownCommand(c.args.str(0).slice(0, 128), argsPreview(c, 1)));
    return null;
  }
  if (cmd.subs === null || c.args.argc < 2) return cmd;
  const sub = cmd.subs.get(c.args.str(1).toLowerCase());
  if (sub === undefined) {
    c.error(unknownSubcommand(c.args.str(1).slice(0, 128), cmd.spec.name));
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
  return !srv.pauseWritesOnly || cmd.isWrite || cmd.spec.flags.includes("may_replicate");
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
    cmd.stats.rejected++;
    c.error(wrongArity(cmd.fullName));
    return true;
  }
  // Matches Redis: auth is required only while the default user has a password, so clearing
  // requirepass at run time lets unauthenticated clients in.
  if (!c.authenticated && !cmd.noAuth && srv.config.requirepass !== "") {
    cmd.stats.rejected++;
    c.error(E.noAuth);
    return true;
  }
  // Matches Redis: a paused command waits only once every check passed (errors reply at once).
  if (srv.pauseUntilMs !== 0 && pausedFor(c, cmd)) return false;
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
  c.failed = false;
  const t0 = performance.now();
  cmd.spec.run!(c);
  const elapsedMs = performance.now() - t0;
  const us = Math.round(elapsedMs * 1000);
  const st = cmd.stats;
  st.calls++;
  st.usec += us;
  if (srv.stats.latencyTracking) (st.latency ??= new LatencyHistogram()).record(elapsedMs * 1e6);
  if (c.failed) st.failed++;
  srv.stats.commandsProcessed++;
  if (srv.dirty !== dirtyBefore && srv.propagation.active) {
    srv.propagation.emit(c.db.id, c.propagateAs ?? c.args.toStrings());
  }
}
