// CLI entry: command line and config file → Config → Server. Nothing else lives here.
import { readFileSync } from "node:fs";
import { Config, ConfigError, loadConfigText } from "./config.ts";
import { Logger } from "./log.ts";
import { Server, VERSION, KVSERVER_VERSION } from "./server.ts";
import { splitArgs } from "./resp/parser.ts";

const HELP = `Usage: ./kvserver [/path/to/kvserver.conf] [options] [-]
       ./kvserver - (read config from stdin)
       ./kvserver -v or --version
       ./kvserver -h or --help

Options are redis.conf directives written as --name value, e.g.:
       ./kvserver --port 7777
       ./kvserver --port 7777 --replicaof 127.0.0.1 8888
       ./kvserver /etc/kvserver/6379.conf --loglevel verbose
       ./kvserver --appendonly yes --appendfsync everysec
`;

function splitLine(line: string): string[] | null {
  const bytes = Buffer.from(line, "utf8");
  const parts = splitArgs(bytes, 0, bytes.length);
  return parts === null ? null : parts.map((p) => Buffer.from(p, "latin1").toString("utf8"));
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Turn argv into config text as redis-server does: each --name starts a new line. */
export function argvToConfigText(argv: string[]): { file: string; text: string } {
  let file = "";
  let i = 0;
  if (argv.length > 0 && !argv[0]!.startsWith("--")) {
    file = argv[0]!;
    i = 1;
  }
  const lines: string[] = [];
  let cur: string[] | null = null;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--") && a.length > 2) {
      if (cur) lines.push(cur.join(" "));
      cur = [a.slice(2)];
    } else if (cur) {
      cur.push(quote(a));
    } else {
      throw new ConfigError(`Invalid option '${a}': options must start with --`);
    }
  }
  if (cur) lines.push(cur.join(" "));
  return { file, text: lines.join("\n") };
}

function main(argv: string[]): void {
  if (argv[0] === "-v" || argv[0] === "--version") {
    console.log(`kvserver v=${KVSERVER_VERSION} redis_version=${VERSION} bun=${Bun.version}`);
    return;
  }
  if (argv[0] === "-h" || argv[0] === "--help") {
    console.log(HELP);
    return;
  }
  const config = new Config();
  const log = new Logger();
  try {
    const { file, text } = argvToConfigText(argv);
    if (file) {
      config.file = file;
      loadConfigText(config, file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8"), splitLine);
    }
    loadConfigText(config, text, splitLine);
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code === "ENOENT") {
      console.error((e as Error).message.startsWith("\n") ? (e as Error).message : `*** FATAL CONFIG ERROR *** ${(e as Error).message}`);
      process.exit(1);
    }
    throw e;
  }
  log.level = config.get("loglevel") as Logger["level"];
  log.file = config.get("logfile");
  if (config.get("dir")) {
    try {
      process.chdir(config.get("dir"));
    } catch {
      console.error(`*** FATAL CONFIG ERROR *** Can't chdir to '${config.get("dir")}'`);
      process.exit(1);
    }
  }
  const server = new Server({ config, logger: log });
  log.notice(`kvserver ${KVSERVER_VERSION} (redis ${VERSION} compatible, bun ${Bun.version}) starting, pid=${process.pid}`);
  server.start().then(
    () => log.notice(`Ready to accept connections tcp on ${config.bind.join(" ")} port ${server.port}`),
    (e: Error) => {
      log.warning(`Failed listening on port ${config.port} (tcp): ${e.message}`);
      process.exit(1);
    },
  );
  const shutdown = (sig: string) => {
    log.warning(`Received ${sig} scheduling shutdown...`);
    server.stop();
    log.notice("kvserver is now ready to exit, bye bye...");
    process.exit(0);
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main(process.argv.slice(2));
