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

/** Execute the request in c.args, writing its reply to c.reply. */
export function processCommand(c: Context): void {
  const srv = c.server;
  const cmd = resolve(c);
  if (cmd === null) {
    srv.stats.rejectedUnknown++;
    return;
  }
  c.cmd = cmd;
  // A container alone is an arity error, unless it has a handler of its own (bare COMMAND).
  if (!cmd.arityOk(c.args.argc) || (cmd.subs !== null && c.args.argc < 2 && !cmd.spec.run)) {
    cmd.stats.rejected++;
    c.error(wrongArity(cmd.fullName));
    return;
  }
  if (!c.authenticated && !cmd.noAuth) {
    cmd.stats.rejected++;
    c.error(E.noAuth);
    return;
  }
  call(c, cmd);
  // Matches Redis: clients blocked on keys this command (or a whole EXEC) filled are served
  // only once it finished, so they see its final effect.
  if (srv.blocking.pending) srv.blocking.serveReady();
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
