// Generic key commands.
import type { CommandSpec } from "./spec.ts";

export const keyCommands: readonly CommandSpec[] = [];
