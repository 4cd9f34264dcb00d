#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: Debian's redis-server and redis-tools
# (the oracle and redis-benchmark), and the pinned Bun from npm. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
  # The Debian package starts a service on 6379; the tests use their own ports and do not need it.
  ($SUDO service redis-server stop || true) >/dev/null 2>&1
fi
if [ ! -x node_modules/.bin/bun ]; then
  npm ci --no-audit --no-fund
fi
