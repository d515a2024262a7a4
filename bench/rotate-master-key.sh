#!/usr/bin/env bash
# Times `wheelhouse rotate-master-key` on a database holding COUNT secrets (default 10 000) plus
# the demo's provider keys: a temporary data directory, the demo seed, COUNT secrets added through
# the normal write path, then the rotation, timed by the command itself and by the shell.
# usage: bench/rotate-master-key.sh [COUNT]   (builds nothing: run `swift build -c release` first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${WHEELHOUSE_BIN:-$root/.build/release/wheelhouse}
count=${1:-10000}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export WHEELHOUSE_DATA_DIR=$data
"$bin" demo >/dev/null
"$bin" bench-seed-secrets --count "$count"
start=$(date +%s%N)
"$bin" rotate-master-key
end=$(date +%s%N)
echo "rotate-master-key as a whole process (open, key check, re-encrypt, commit, rename): $(( (end - start) / 1000000 )) ms"
