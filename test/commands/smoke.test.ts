// The data path end to end: bytes in over TCP, replies out, compared with real redis-server.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runBoth, startPair, type Pair } from "../support/oracle.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

test("PING, ECHO, GET/SET and unknown-command errors match redis-server byte for byte", async () => {
  const cmds = [
    ["PING"],
    ["PING", "hello"],
    ["ECHO", "bin\x00\xff"],
    ["SET", "smoke:k", "v"],
    ["GET", "smoke:k"],
    ["GET", "smoke:missing"],
    ["GET"],
    ["NOSUCHCMD", "a", "b"],
    ["nosuchcmd"],
  ];
  const { kv, redis } = await runBoth(pair, cmds);
  expect(kv).toEqual(redis);
});
