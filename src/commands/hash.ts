// Hash commands.
import type { CommandSpec } from "./spec.ts";

export const hashCommands: readonly CommandSpec[] = [];
