// Server commands: INFO TIME CONFIG DEBUG and friends.
import type { CommandSpec } from "./spec.ts";

export const serverCommands: readonly CommandSpec[] = [];
