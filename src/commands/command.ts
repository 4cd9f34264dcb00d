// COMMAND and its subcommands.
import type { CommandSpec } from "./spec.ts";

export const introspectionCommands: readonly CommandSpec[] = [];
