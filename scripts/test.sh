#!/usr/bin/env bash
# The README's test command: install what is missing, type-check, then run every test with bun.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
node_modules/.bin/tsc --noEmit -p . || { echo "type check failed"; exit 1; }
out=$(mktemp)
node_modules/.bin/bun test "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -Eo '^ *[0-9]+ pass' "$out" | tail -1 | grep -Eo '[0-9]+' || echo 0)
fail=$(grep -Eo '^ *[0-9]+ fail' "$out" | tail -1 | grep -Eo '[0-9]+' || echo 0)
rm -f "$out"
echo "$pass passed, $fail failed"
exit $rc
