// AOF commands: BGREWRITEAOF. The rewrite itself lives in persistence/aof.ts (reached as
// server.aof); here only Redis's replies and errors.
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";

function bgrewriteaof(c: Context): void {
  const aof = c.server.aof;
  if (aof.rewriteInProgress) return c.error("ERR Background append only file rewriting already in progress");
  // Matches Redis: inside EXEC (denyBlocking is set there) the rewrite is only scheduled, so its
  // snapshot never splits a transaction.
  if (c.denyBlocking) {
    aof.schedule();
    return c.reply.simple("Background append only file rewriting scheduled");
  }
  switch (aof.bgrewrite()) {
    case "started":
      return c.reply.simple("Background append only file rewriting started");
    case "scheduled":
      return c.reply.simple("Background append only file rewriting scheduled");
    case "in-progress":
      return c.error("ERR Background append only file rewriting already in progress");
    case "error":
      return c.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  }
}

export const aofCommands: readonly CommandSpec[] = [
  {
    name: "bgrewriteaof",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading"],
    group: "server",
    since: "1.0.0",
    summary: "Rebuilds the append-only file from the current dataset without stopping the server.",
    complexity: "O(1)",
    run: bgrewriteaof,
  },
];
