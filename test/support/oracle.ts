// The differential harness: run the same command sequence against kvserver and real
// redis-server, collecting raw RESP replies, so tests compare them byte for byte.
import { RawConn } from "./conn.ts";
import { startKv, startRedis, type KvRunning, type Running } from "./servers.ts";
import type { Arg } from "./resp.ts";

export interface Pair {
  kv: KvRunning;
  redis: Running;
  stop(): Promise<void>;
}

export async function startPair(kvConfig: Record<string, string> = {}): Promise<Pair> {
  const [kv, redis] = await Promise.all([startKv({ config: kvConfig }), startRedis()]);
  return { kv, redis, stop: async () => void (await Promise.all([kv.stop(), redis.stop()])) };
}

/** Replies of one connection per server, for a sequence of commands. */
export async function runBoth(pair: Pair, cmds: readonly (readonly Arg[])[]): Promise<{ kv: string[]; redis: string[] }> {
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    const kv: string[] = [];
    const redis: string[] = [];
    for (const cmd of cmds) {
      kv.push(await a.call(...cmd));
      redis.push(await b.call(...cmd));
    }
    return { kv, redis };
  } finally {
    a.close();
    b.close();
  }
}

/** Flush both servers (between cases). */
export async function flushBoth(pair: Pair): Promise<void> {
  await runBoth(pair, [["FLUSHALL"]]);
}

/** Format a command and its two replies for a readable assertion diff. */
export function transcript(cmds: readonly (readonly Arg[])[], replies: string[]): string[] {
  return cmds.map((c, i) => `${c.map(String).join(" ")} => ${JSON.stringify(replies[i])}`);
}
