// Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm <mark> message", to stdout or a file.
// Owns the log sink and level filter; nothing else.
import { appendFileSync, writeSync } from "node:fs";

export type LogLevel = "debug" | "verbose" | "notice" | "warning" | "nothing";
const ORDER: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<LogLevel, string> = { debug: ".", verbose: "-", notice: "*", warning: "#", nothing: "" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

let stdoutGuarded = false;

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Redis's timestamp: "21 Nov 2026 09:47:35.221", local time. */
export function logTimestamp(d: Date): string {
  const ms = d.getMilliseconds();
  return `${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}`;
}

export class Logger {
  level: LogLevel = "notice";
  /** Log file path; empty means standard output. */
  file = "";
  /** 'M' primary, 'S' replica, 'C' child or not yet initialised, 'X' sentinel — as Redis marks its lines. */
  role = "M";
  silent = false;

  log(level: LogLevel, msg: string): void {
    if (this.silent || level === "nothing" || ORDER[level] < ORDER[this.level]) return;
    this.write(`${process.pid}:${this.role} ${logTimestamp(new Date())} ${MARK[level]} ${msg}\n`);
  }

  /** A line logged from a signal handler, which Redis writes without level or role. */
  signal(msg: string): void {
    if (this.silent || ORDER[this.level] > ORDER.warning) return;
    this.write(`${process.pid}:signal-handler (${Math.floor(Date.now() / 1000)}) ${msg}\n`);
  }

  /**
   * Append a whole line. Synchronous, like Redis's fprintf+fflush, so nothing is lost when the
   * process exits right after logging (shutdown, fatal errors).
   */
  write(line: string): void {
    if (this.file) {
      try {
        appendFileSync(this.file, line);
        return;
      } catch {
        // fall through to stdout when the log file cannot be written
      }
    }
    try {
      writeSync(1, line);
    } catch (e) {
      // A non-blocking stdout that is full: hand the line to the stream. Any other failure
      // (stdout closed: EPIPE) is ignored, as Redis ignores failed writes to its log.
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return;
      if (!stdoutGuarded) {
        stdoutGuarded = true;
        process.stdout.on("error", () => {});
      }
      process.stdout.write(line);
    }
  }

  debug(m: string): void { this.log("debug", m); }
  verbose(m: string): void { this.log("verbose", m); }
  notice(m: string): void { this.log("notice", m); }
  warning(m: string): void { this.log("warning", m); }
}
