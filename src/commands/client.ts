// Client and connection-state commands: CLIENT HELLO AUTH RESET.
import type { CommandSpec } from "./spec.ts";

export const clientCommands: readonly CommandSpec[] = [];
