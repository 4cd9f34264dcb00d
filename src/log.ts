// Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm <level> message", to stdout or a file.
// Owns the log sink and level filter; nothing else.
import { appendFileSync } from "node:fs";

export type LogLevel = "debug" | "verbose" | "notice" | "warning" | "nothing";
const ORDER: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<LogLevel, string> = { debug: ".", verbose: "-", notice: "*", warning: "#", nothing: "" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export class Logger {
  level: LogLevel = "notice";
  file = "";
  /** 'M' primary, 'S' replica, 'C' child, 'X' sentinel — as Redis marks its lines. */
  role = "M";
  silent = false;

  log(level: LogLevel, msg: string): void {
    if (this.silent || ORDER[level] < ORDER[this.level] || level === "nothing") return;
    const d = new Date();
    const p2 = (n: number) => String(n).padStart(2, "0");
    const ts = `${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
    const line = `${process.pid}:${this.role} ${ts} ${MARK[level]} ${msg}\n`;
    if (this.file) {
      try {
        appendFileSync(this.file, line);
        return;
      } catch {
        // fall through to stdout when the log file cannot be written
      }
    }
    process.stdout.write(line);
  }

  debug(m: string): void { this.log("debug", m); }
  verbose(m: string): void { this.log("verbose", m); }
  notice(m: string): void { this.log("notice", m); }
  warning(m: string): void { this.log("warning", m); }
}
