// The README's promises that code can check: its command table is the server's command table.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { commandTable } from "../../scripts/commandtable.ts";

test("README's 'What is supported' table lists exactly the implemented commands", () => {
  const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");
  expect(readme).toContain(commandTable());
});
