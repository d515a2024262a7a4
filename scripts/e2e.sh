#!/usr/bin/env bash
# End-to-end tests (`make e2e` builds the release binary first): real nginx in front of the real
# responder on a temporary data directory, driven by Debian's headless Chromium through Playwright.
# Creates .build/e2e-venv on first use and reinstalls Tests/e2e/requirements.txt only when that file
# changes. Extra arguments go to pytest (e.g. scripts/e2e.sh -k logo).
# Artifacts (screenshots, saved HTML, logs) end up in .build/e2e-artifacts/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=$root/.build/e2e-venv
requirements=$root/Tests/e2e/requirements.txt
stamp=$venv/.requirements.sha256
python=${PYTHON:-python3}

for tool in java nginx /usr/bin/chromium; do
  command -v "$tool" >/dev/null 2>&1 || { echo "e2e: $tool is missing (scripts/install-deps.sh test installs it)" >&2; exit 1; }
done
[ -x "${WHEELHOUSE_BIN:-$root/.build/release/wheelhouse}" ] || {
  echo "e2e: .build/release/wheelhouse is missing: run 'make e2e' (it builds first)" >&2; exit 1; }

# A venv whose interpreter no longer runs (e.g. its base Python was removed) is made anew.
if [ -e "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then rm -rf "$venv"; fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$root/.build"
  "$python" -m venv "$venv"
fi
want=$( (sha256sum < "$requirements"; "$venv/bin/python" -VV) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "e2e: installing Tests/e2e/requirements.txt into .build/e2e-venv"
  rm -f "$stamp"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi

export SE_OFFLINE=true
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" Tests/e2e
