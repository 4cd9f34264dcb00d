// Prints README's "What is supported" table from the command table itself, so the README lists
// exactly what the server implements: `bun scripts/commandtable.ts` (test/unit/readme.test.ts
// checks that README.md carries this output).
import { FAMILIES } from "../src/commands/families.ts";
import type { CommandGroup, CommandSpec } from "../src/commands/spec.ts";

const ORDER: CommandGroup[] = ["connection", "string", "bitmap", "generic", "server", "list", "hash", "set", "sorted-set", "transactions", "pubsub"];

export function commandTable(): string {
  const byGroup = new Map<CommandGroup, string[]>();
  const add = (group: CommandGroup, name: string) => {
    let l = byGroup.get(group);
    if (l === undefined) byGroup.set(group, (l = []));
    l.push(name.toUpperCase());
  };
  const visit = (spec: CommandSpec) => {
    if (spec.subcommands) for (const sub of spec.subcommands) add(spec.group, `${spec.name} ${sub.name}`);
    else add(spec.group, spec.name);
  };
  for (const family of FAMILIES) for (const spec of family) visit(spec);
  const groups = [...byGroup.keys()].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  const lines = ["| group | commands |", "|---|---|"];
  for (const g of groups) lines.push(`| ${g} | ${byGroup.get(g)!.sort().join(" ")} |`);
  return lines.join("\n");
}

if (import.meta.main) console.log(commandTable());
