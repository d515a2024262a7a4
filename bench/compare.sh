#!/usr/bin/env bash
# `make bench-compare BASE=<commit>`: this checkout's build against a build of BASE, measured in one
# invocation on the same machine, so that the comparison survives a shared, noisy machine:
#   - General and Usage req/s (wrk through nginx, as `bench/run.sh`), runs interleaved
#     base, this, base, this… (BENCH_ROUNDS, default 2) and reported as the median of each;
#   - instructions per General request under callgrind (load-independent), once each.
# The base is built in .build/baseline/<commit> (a git worktree), once.
#
# Environment: BASE (required), BENCH_ROUNDS [2], BENCH_SECONDS [5], BENCH_ROLLUP_EVENTS [10000000]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${BASE:?set BASE to the commit to compare with, e.g. make bench-compare BASE=4b87f53}
rounds=${BENCH_ROUNDS:-2}
commit=$(git -C "$root" rev-parse --short "$base")
tree=$root/.build/baseline/$commit

if [ ! -x "$tree/.build/release/wheelhouse" ]; then
  [ -d "$tree" ] || git -C "$root" worktree add --detach "$tree" "$commit" >/dev/null
  echo "compare: building $commit in $tree (once)"
  (cd "$tree" && swift build -c release --product wheelhouse >/dev/null)
fi

declare -A general usage instructions
run() { # run NAME CHECKOUT CALLGRIND(0|1) -> appends req/s to the name's lists
  # Each build runs with its own bench script and templates.
  local name=$1 checkout=$2 callgrind=$3 out
  out=$(WHEELHOUSE_BIN=$checkout/.build/release/wheelhouse BENCH_TARGETS="general usage" BENCH_IMPORT_EVENTS=0 \
        BENCH_CALLGRIND=$callgrind BENCH_SECONDS=${BENCH_SECONDS:-5} "$checkout/bench/run.sh")
  general[$name]+="$(awk '/^General page, Owner/ { print $4 }' <<<"$out") "
  usage[$name]+="$(awk '/^Usage page/ { print $6 }' <<<"$out") "
  if [ "$callgrind" = 1 ]; then
    instructions[$name]=$(awk '/instructions per (General request|request of [^ ]*):/ { print $NF }' <<<"$out")
  fi
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

for round in $(seq "$rounds"); do
  first=$([ "$round" = 1 ] && echo 1 || echo 0)
  run base "$tree" "$first"
  run here "$root" "$first"
done

echo "Wheelhouse bench-compare — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $rounds interleaved rounds"
echo "base: $commit; this: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (with uncommitted changes)')"
printf '%-34s %12s %12s %8s\n' "" base this "this/base"
for what in general usage; do
  declare -n list=$what
  b=$(median <<<"${list[base]}") h=$(median <<<"${list[here]}")
  printf '%-34s %12s %12s %8s   (rounds: base %s· this %s)\n' "$what req/s (median)" "$b" "$h" "$(ratio "$h" "$b")" \
    "${list[base]}" "${list[here]}"
done
printf '%-34s %12s %12s %8s\n' "instructions per General request" "${instructions[base]}" "${instructions[here]}" \
  "$(ratio "${instructions[here]}" "${instructions[base]}")"
