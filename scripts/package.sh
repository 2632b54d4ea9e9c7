#!/usr/bin/env bash
# `npm run package`: writes heapscope-<version>.vsix, ready for `code --install-extension`. Uses the
# same vsce as the end-to-end tests and `npm run try` (cached in .cache/e2e with the Node 24 it needs;
# no code-server), and vsce's own defaults from package.json ("vsce": readme path, no dependency scan;
# "vscode:prepublish" builds dist/). Extra arguments go to `vsce package` (e.g. --out <file>).
# --no-rewrite-relative-links: the packaged README shows media/live-view.png from inside the package
# (VS Code resolves it against the installed extension); without it vsce accepts only https images,
# and the project has no public host for them. It is the one option package.json cannot carry.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=test/e2e/install.sh
HEAPSCOPE_E2E_TOOLS=package source test/e2e/install.sh
"$VSCE" package --no-rewrite-relative-links "$@"
