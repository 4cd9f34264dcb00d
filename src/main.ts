// CLI entry: command line and config file → Config → Server, start-up and signal shutdown logs.
// Nothing else lives here. Command-line options become config lines exactly as redis-server
// builds them, so errors name the same line numbers and quoted text.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Config, ConfigError, loadConfigText } from "./config.ts";
import { Logger, type LogLevel } from "./log.ts";
import { Server, VERSION, KVSERVER_VERSION } from "./server.ts";
import { splitArgs } from "./resp/parser.ts";

const USAGE = `Usage: ./kvserver [/path/to/kvserver.conf] [options] [-]
       ./kvserver - (read config from stdin)
       ./kvserver -v or --version
       ./kvserver -h or --help

Examples:
       ./kvserver (run the server with default conf)
       echo 'maxmemory 128mb' | ./kvserver -
       ./kvserver /etc/kvserver/6379.conf
       ./kvserver --port 7777
       ./kvserver --port 7777 --replicaof 127.0.0.1 8888
       ./kvserver /etc/mykvserver.conf --loglevel verbose -
       ./kvserver /etc/mykvserver.conf --loglevel verbose
`;

/** A config line split into arguments (the line is UTF-8 text; arguments may be any bytes). */
function splitLine(line: string): string[] | null {
  const bytes = Buffer.from(line, "utf8");
  const parts = splitArgs(bytes, 0, bytes.length);
  return parts === null ? null : parts.map((p) => Buffer.from(p, "latin1").toString("utf8"));
}

/** Redis's sdscatrepr: a double-quoted, escaped form of bytes that splitArgs reads back. */
export function quoteArg(arg: string): string {
  let out = '"';
  for (const b of Buffer.from(arg, "utf8")) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x07) out += "\\a";
    else if (b === 0x08) out += "\\b";
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return out + '"';
}

export interface CommandLine {
  /** Config file path, or "" for none. */
  file: string;
  /** "-" as the first or last argument: read config text from standard input. */
  stdin: boolean;
  /** The options as config lines. */
  options: string;
}

/**
 * Turn argv (after the program name) into config text as redis-server does: a first argument
 * not starting with '-' is the config file; each --name starts a new line; other arguments are
 * appended to the current line quoted. A --name with no value yet takes a following --word as
 * its value; --save with no value means save "".
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let file = "";
  let stdin = false;
  let i = 0;
  if (argv.length > 0 && !argv[0]!.startsWith("-")) {
    file = argv[0]!;
    i = 1;
  }
  let options = "";
  let valueSeen = true; // the last option has its value (or a --word may start a new option)
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-" && (i === 0 || i === argv.length - 1)) {
      stdin = true;
    } else if (valueSeen && a.startsWith("--")) {
      if (options !== "") options += "\n";
      options += a.slice(2) + " ";
      const words = splitLine(a);
      if (words !== null && words.length === 1) {
        valueSeen = false;
        if (a.toLowerCase() === "--save") {
          const next = argv[i + 1];
          if (next === undefined || next.startsWith("--")) {
            options += '""';
            valueSeen = next !== undefined;
          }
        }
      } else {
        valueSeen = true; // "--port 6380" as one argument carries its own value
      }
    } else {
      options += quoteArg(a) + " ";
      valueSeen = true;
    }
  }
  return { file, stdin, options };
}

function fatal(log: Logger, msg: string): never {
  log.role = "C";
  log.warning(msg);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "-v" || argv[0] === "--version") {
    process.stdout.write(`kvserver v=${KVSERVER_VERSION} redis_version=${VERSION} bun=${Bun.version} bits=64\n`);
    process.exit(0);
  }
  if (argv[0] === "-h" || argv[0] === "--help") {
    // Matches redis-server: usage goes to standard error with exit status 1.
    process.stderr.write(USAGE);
    process.exit(1);
  }
  const log = new Logger();
  const config = new Config();
  const cmd = parseCommandLine(argv);
  let text = "";
  if (cmd.file !== "") {
    const path = resolve(cmd.file);
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (e as Error).message;
      fatal(log, `Fatal error, can't open config file '${path}': ${reason}`);
    }
    config.file = path;
  }
  if (cmd.stdin) {
    log.role = "C";
    log.warning("Reading config from stdin");
    text += readFileSync(0, "utf8");
  }
  text += "\n" + cmd.options;
  try {
    loadConfigText(config, text, splitLine);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  log.level = config.get("loglevel") as LogLevel;
  log.file = config.get("logfile");
  log.role = "C";
  log.warning("oO0OoO0OoO0Oo kvserver is starting oO0OoO0OoO0Oo");
  log.warning(`kvserver version=${KVSERVER_VERSION}, redis_version=${VERSION}, bun=${Bun.version}, bits=64, pid=${process.pid}, just started`);
  if (argv.length === 0) {
    log.warning("Warning: no config file specified, using the default config. In order to specify a config file use ./kvserver /path/to/kvserver.conf");
  } else {
    log.warning("Configuration loaded");
  }
  const dir = config.get("dir");
  if (dir) {
    try {
      process.chdir(dir);
    } catch (e) {
      fatal(log, `Can't chdir to '${dir}': ${(e as Error).message}`);
    }
  }
  log.role = "M";
  const server = new Server({ config, logger: log });
  const pidfile = config.get("pidfile");
  try {
    await server.start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // A dump that cannot be loaded stops start-up, and is left as it is.
    if (err.name === "RdbLoadError") fatal(log, `${err.message}. Unrecoverable error, aborting now.`);
    // So does an AOF that cannot be loaded (corrupt, or truncated with aof-load-truncated no).
    if (err.name === "AofLoadError") fatal(log, err.message);
    const what = err.code === "EADDRINUSE" ? "Address already in use" : err.message;
    log.warning(`Warning: Could not create server TCP listening socket ${config.bind.join(" ")}:${config.port}: bind: ${what}`);
    log.warning(`Failed listening on port ${config.port} (TCP), aborting.`);
    process.exit(1);
  }
  log.notice(`Running mode=standalone, port=${server.port}.`);
  log.warning("Server initialized");
  if (pidfile) {
    try {
      writeFileSync(pidfile, `${process.pid}\n`);
    } catch {
      log.warning(`Failed to write PID file: ${pidfile}`);
    }
  }
  log.notice("Ready to accept connections");

  let stopping = false;
  // The end of every shutdown (signal or SHUTDOWN command), once the server has stopped.
  server.exitProcess = () => {
    if (pidfile) {
      log.notice("Removing the pid file.");
      rmSync(pidfile, { force: true });
    }
    log.warning("kvserver is now ready to exit, bye bye...");
    process.exit(0);
  };
  const shutdown = (sig: string) => {
    if (stopping) return;
    log.signal(`Received ${sig} scheduling shutdown...`);
    log.warning("User requested shutdown...");
    // Matches Redis: the final save (when save points are set) must succeed, or we keep running.
    if (!server.rdb.prepareShutdown({})) {
      log.warning("Errors trying to shut down the server. Check the logs for more information.");
      return;
    }
    stopping = true;
    server.shutdownNow();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

// Run only as the entry point (the compiled binary or `bun src/main.ts`), not when imported by tests.
if (import.meta.main) await main(process.argv.slice(2));
