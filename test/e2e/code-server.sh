#!/usr/bin/env bash
# Shared by test/e2e/run.sh and scripts/try.sh (source it): installs the tools, builds and packages
# the extension, prepares a sandboxed code-server and a workspace with the leaking example.
# Nothing outside the repo's .cache/e2e/ is written: HOME, XDG dirs and TMPDIR move into the sandbox
# (code-server, VS Code and Chromium all write to them).

# shellcheck source=test/e2e/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/install.sh"

e2e_now() { date +%s.%N; }
e2e_since() { awk -v a="$1" -v b="$(e2e_now)" 'BEGIN{printf "%.1fs", b-a}'; }

# scripts/package.sh (vsce package, which builds through vscode:prepublish). Its options live in
# package.json's "vsce" field: no dependency scan (esbuild bundled the runtime dependencies), and the
# packaged README is docs/vsix-readme.md (the repository README links into docs/, which the .vsix does
# not carry).
e2e_prepare_extension() {
  local t
  t=$(e2e_now)
  VSIX=$E2E_CACHE/heapscope.vsix
  rm -f "$VSIX"
  # The same packaging as `npm run package` (it builds dist/ through vscode:prepublish).
  (cd "$E2E_ROOT" && bash scripts/package.sh --out "$VSIX" >"$E2E_CACHE/vsce.log" 2>&1) ||
    { cat "$E2E_CACHE/vsce.log" >&2; return 1; }
  e2e_log "built + packaged $(basename "$VSIX") in $(e2e_since "$t")"
}

# e2e_sandbox <dir>: fresh sandbox, installs the .vsix into its extensions dir.
e2e_sandbox() {
  RUN_DIR=$1
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR"/{home,tmp,user-data/User,extensions,workspace}
  export HOME=$RUN_DIR/home XDG_CONFIG_HOME=$RUN_DIR/home/.config XDG_DATA_HOME=$RUN_DIR/home/.local/share \
    XDG_CACHE_HOME=$RUN_DIR/home/.cache TMPDIR=$RUN_DIR/tmp
  printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' >"$RUN_DIR/config.yaml"
  cat >"$RUN_DIR/user-data/User/settings.json" <<'JSON'
{
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.colorTheme": "Default Dark Modern",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "editor.codeLens": true,
  "debug.openDebug": "openOnSessionStart",
  "debug.internalConsoleOptions": "neverOpen",
  "git.enabled": false
}
JSON
  CS_ARGS=(--config "$RUN_DIR/config.yaml" --user-data-dir "$RUN_DIR/user-data" --extensions-dir "$RUN_DIR/extensions")
  "$CODE_SERVER" "${CS_ARGS[@]}" --install-extension "$VSIX" --force >"$RUN_DIR/install-extension.log" 2>&1 ||
    { cat "$RUN_DIR/install-extension.log" >&2; return 1; }
}

# e2e_workspace <dir>: a copy of examples/leaky-service plus a small debug target and its launch.json.
e2e_workspace() {
  local ws=$1
  mkdir -p "$ws/.vscode"
  cp "$E2E_ROOT/examples/leaky-service/"*.js "$ws/"
  [ -f "$E2E_ROOT/examples/leaky-service/package.json" ] && cp "$E2E_ROOT/examples/leaky-service/package.json" "$ws/"
  cp "$E2E_ROOT/test/e2e/workspace-extra/debug-target.js" "$ws/"
  cp "$E2E_ROOT/test/e2e/workspace-extra/launch.json" "$ws/.vscode/launch.json"
}

# e2e_start_code_server <sandbox> [host-port]: starts code-server in its own process group (CS_PID),
# waits for /healthz, sets CS_PORT.
e2e_start_code_server() {
  local run=$1 t
  CS_PORT=${2:-$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
  t=$(e2e_now)
  setsid "$CODE_SERVER" "${CS_ARGS[@]}" --bind-addr "127.0.0.1:$CS_PORT" --auth none \
    --disable-telemetry --disable-update-check --disable-workspace-trust \
    --disable-getting-started-override "$run/workspace" >"$run/server.log" 2>&1 &
  CS_PID=$!
  for _ in $(seq 300); do
    curl -fsS "http://127.0.0.1:$CS_PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$CS_PID" 2>/dev/null || break
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$CS_PORT/healthz" >/dev/null 2>&1 || { cat "$run/server.log" >&2; return 1; }
  e2e_log "code-server listening on 127.0.0.1:$CS_PORT after $(e2e_since "$t")"
}
