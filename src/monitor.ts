// MONITOR: the clients that watch every command, and the line each command becomes
// (`+<sec>.<usec> [<db> <addr>] "arg" …`, arguments escaped as Redis's sdscatrepr). Owns the set
// of monitors and the formatting; the dispatcher decides which commands are shown.
import type { Context } from "./commands/context.ts";

/** One argument double-quoted with Redis's escapes (\\ \" \n \r \t \a \b, \xHH when unprintable). */
export function reprArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i) & 0xff;
    switch (b) {
      case 0x5c: out += "\\\\"; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += "\\n"; break;
      case 0x0d: out += "\\r"; break;
      case 0x09: out += "\\t"; break;
      case 0x07: out += "\\a"; break;
      case 0x08: out += "\\b"; break;
      default:
        if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
        else out += "\\x" + (b < 16 ? "0" : "") + b.toString(16);
    }
  }
  return out + '"';
}

/** The status line MONITOR sends for one command (without '+' and CRLF). */
export function monitorLine(usec: number, dbId: number, addr: string, argv: readonly string[]): string {
  const sec = Math.floor(usec / 1e6);
  const frac = String(usec - sec * 1e6).padStart(6, "0");
  let line = `${sec}.${frac} [${dbId} ${addr}]`;
  for (const a of argv) line += " " + reprArg(a);
  return line;
}

export class Monitors {
  readonly #clients = new Set<Context>();

  /** True when someone is watching (checked by the dispatcher after every command). */
  get active(): boolean {
    return this.#clients.size !== 0;
  }

  get size(): number {
    return this.#clients.size;
  }

  add(c: Context): void {
    this.#clients.add(c);
    c.monitor = true;
  }

  /** Stop monitoring (RESET, disconnect). */
  remove(c: Context): void {
    if (!c.monitor) return;
    c.monitor = false;
    this.#clients.delete(c);
  }

  /** Send one command's line to every monitor, in execution order. */
  feed(usec: number, dbId: number, addr: string, argv: readonly string[]): void {
    const line = monitorLine(usec, dbId, addr, argv);
    for (const m of this.#clients) {
      // Matches Redis: a monitor under CLIENT REPLY OFF receives nothing.
      if (m.replyMode === "off") continue;
      m.reply.simple(line);
      m.server.requestFlush(m);
    }
  }
}
