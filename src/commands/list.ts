// List commands.
import type { CommandSpec } from "./spec.ts";

export const listCommands: readonly CommandSpec[] = [];
