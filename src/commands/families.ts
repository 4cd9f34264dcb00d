// Every command family, in one list the table is built from. Adding a family touches this file;
// adding a command touches only its family's file.
import type { CommandSpec } from "./spec.ts";
import { connectionCommands } from "./connection.ts";
import { stringCommands } from "./string.ts";

export const FAMILIES: readonly (readonly CommandSpec[])[] = [connectionCommands, stringCommands];
