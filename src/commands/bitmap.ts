// Bitmap commands.
import type { CommandSpec } from "./spec.ts";

export const bitmapCommands: readonly CommandSpec[] = [];
