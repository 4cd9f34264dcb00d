// Transactions: MULTI EXEC DISCARD WATCH UNWATCH. Queueing itself happens in the dispatcher
// (commands/dispatch.ts); this file owns what EXEC does with the queue and the WATCH bookkeeping.
// Never touches sockets or the AOF: EXEC hands its writes to the propagation bus as one batch.
import type { CommandFlag, CommandSpec } from "./spec.ts";
import type { Context } from "./context.ts";
import { call } from "./dispatch.ts";

const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

/** Leave MULTI and forget WATCHed keys: after EXEC (either way), DISCARD and RESET. */
export function discardTransaction(c: Context): void {
  c.multi = null;
  c.multiAborted = false;
  c.server.watches.unwatchAll(c);
}

function multi(c: Context): void {
  if (c.multi !== null) return c.error("ERR MULTI calls can not be nested");
  c.multi = [];
  c.reply.ok();
}

function exec(c: Context): void {
  const queue = c.multi;
  if (queue === null) return c.error("ERR EXEC without MULTI");
  const srv = c.server;
  if (c.multiAborted) {
    discardTransaction(c);
    return c.error(EXECABORT);
  }
  // Matches Redis: a watched key that changed, or that expired since WATCH, aborts with a null.
  if (c.dirtyCas || (c.watched.length !== 0 && srv.watches.anyExpiredSince(c))) {
    discardTransaction(c);
    return c.reply.nilArray();
  }
  discardTransaction(c);
  const own = c.args;
  const ownCmd = c.cmd;
  const denyBlocking = c.denyBlocking;
  // Blocking commands answer at once (as on timeout) inside a transaction.
  c.denyBlocking = true;
  srv.propagation.beginBatch();
  c.reply.array(queue.length);
  for (const q of queue) {
    c.args = q.args;
    c.cmd = q.cmd;
    call(c, q.cmd);
  }
  srv.propagation.endBatch();
  c.args = own;
  c.cmd = ownCmd;
  c.denyBlocking = denyBlocking;
  // EXEC's writes went out as one batch above; EXEC itself is not propagated, nor does an
  // error inside count as EXEC failing.
  c.propagateAs = [];
  c.failed = false;
}

function discard(c: Context): void {
  if (c.multi === null) return c.error("ERR DISCARD without MULTI");
  discardTransaction(c);
  c.reply.ok();
}

function watch(c: Context): void {
  if (c.multi !== null) return c.error("ERR WATCH inside MULTI is not allowed");
  // Matches Redis: once a watched key changed, watching more is pointless and skipped.
  if (!c.dirtyCas) for (let i = 1; i < c.args.argc; i++) c.server.watches.watch(c, c.db, c.args.str(i));
  c.reply.ok();
}

function unwatch(c: Context): void {
  c.server.watches.unwatchAll(c);
  c.reply.ok();
}

const TXN: readonly CommandFlag[] = ["noscript", "loading", "stale", "fast", "allow_busy"];

export const transactionCommands: readonly CommandSpec[] = [
  {
    name: "multi",
    arity: 1,
    flags: TXN,
    acl: ["transaction"],
    group: "transactions",
    since: "1.2.0",
    summary: "Starts a transaction: later commands are queued until EXEC.",
    run: multi,
  },
  {
    name: "exec",
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    acl: ["transaction"],
    group: "transactions",
    since: "1.2.0",
    summary: "Runs the queued commands of a transaction as one atomic step.",
    run: exec,
  },
  {
    name: "discard",
    arity: 1,
    flags: TXN,
    acl: ["transaction"],
    group: "transactions",
    since: "2.0.0",
    summary: "Drops the queued commands of a transaction.",
    run: discard,
  },
  {
    name: "watch",
    arity: -2,
    flags: TXN,
    keys: [1, -1, 1],
    keyFlags: ["RO"],
    acl: ["transaction"],
    group: "transactions",
    since: "2.2.0",
    summary: "Makes the next EXEC fail if any of the given keys changes before it.",
    run: watch,
  },
  {
    name: "unwatch",
    arity: 1,
    flags: TXN,
    acl: ["transaction"],
    group: "transactions",
    since: "2.2.0",
    summary: "Forgets every key watched by this connection.",
    run: unwatch,
  },
];
