// Every command family, in one list the table is built from. Adding a family touches this file;
// adding a command touches only its family's file.
import type { CommandSpec } from "./spec.ts";
import { connectionCommands } from "./connection.ts";
import { stringCommands } from "./string.ts";
import { bitmapCommands } from "./bitmap.ts";
import { keyCommands } from "./keys.ts";
import { expireCommands } from "./expire.ts";
import { serverCommands } from "./server.ts";
import { clientCommands } from "./client.ts";
import { introspectionCommands } from "./command.ts";
import { listCommands } from "./list.ts";
import { listBlockingCommands } from "./listblocking.ts";
import { hashCommands } from "./hash.ts";
import { setCommands } from "./set.ts";
import { setAlgebraCommands } from "./setalgebra.ts";
import { zsetCommands } from "./zset.ts";
import { zsetRangeCommands } from "./zsetrange.ts";
import { zsetPopCommands } from "./zsetpop.ts";
import { zsetAlgebraCommands } from "./zsetalgebra.ts";
import { transactionCommands } from "./transaction.ts";
import { sortCommands } from "./sort.ts";
import { pubsubCommands } from "./pubsub.ts";
import { diagnosticsCommands } from "./diagnostics.ts";
import { persistenceCommands } from "./persistence.ts";
import { aofCommands } from "./aof.ts";

export const FAMILIES: readonly (readonly CommandSpec[])[] = [
  connectionCommands,
  stringCommands,
  bitmapCommands,
  keyCommands,
  expireCommands,
  serverCommands,
  clientCommands,
  introspectionCommands,
  listCommands,
  listBlockingCommands,
  hashCommands,
  setCommands,
  setAlgebraCommands,
  zsetCommands,
  zsetRangeCommands,
  zsetPopCommands,
  zsetAlgebraCommands,
  transactionCommands,
  sortCommands,
  pubsubCommands,
  diagnosticsCommands,
  persistenceCommands,
  aofCommands,
];
