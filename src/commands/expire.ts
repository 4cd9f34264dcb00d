// Expiry commands.
import type { CommandSpec } from "./spec.ts";

export const expireCommands: readonly CommandSpec[] = [];
