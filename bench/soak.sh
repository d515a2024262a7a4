#!/usr/bin/env bash
# `make soak`: `make run` (scripts/run.sh) on a temporary data directory, then wrk for
# SOAK_MINUTES [4] one minute at a time over General, Members and Secrets as the demo Owner.
# Prints per minute: requests/s, p50 and p99, the responder's RSS, the database's WAL size and the
# session and audit rows; at the end the mean p99 of each half, which must differ by less than 20 %
# (exit 1 otherwise). SOAK_CONNECTIONS [32], SOAK_PORT [18090], SOAK_SECONDS_PER_STEP [60],
# SOAK_WARMUP_SECONDS [20] (an unmeasured run first), SOAK_SIGNIN_PAUSE [0.1] (sign-ins meanwhile).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
minutes=${SOAK_MINUTES:-4}
step=${SOAK_SECONDS_PER_STEP:-60}
conns=${SOAK_CONNECTIONS:-32}
port=${SOAK_PORT:-18090}
base=http://127.0.0.1:$port
bin=${WHEELHOUSE_BIN:-$root/.build/release/wheelhouse}
work=$(mktemp -d /tmp/wheelhouse-soak.XXXXXX)
data=$work/data
run_pid="" churn_pid=""
cleanup() {
  trap - EXIT INT TERM
  [ -n "$churn_pid" ] && kill "$churn_pid" 2>/dev/null
  [ -n "$run_pid" ] && kill -TERM "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
  [ "${SOAK_KEEP:-0}" = 1 ] && echo "soak: data kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for tool in wrk curl nginx sqlite3; do command -v "$tool" >/dev/null || { echo "soak: $tool is missing" >&2; exit 1; }; done

PORT=$port WHEELHOUSE_DATA_DIR=$data WHEELHOUSE_BIN=$bin "$root/scripts/run.sh" >"$work/run.out" 2>&1 &
run_pid=$!
for _ in $(seq 600); do curl -sf -o /dev/null "$base/login" && break; sleep 0.1; done
curl -sf -o /dev/null "$base/login" || { cat "$work/run.out" >&2; exit 1; }

jar=$work/cookies.txt
csrf=$(curl -s -c "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "email=owner@demo.test" \
  --data-urlencode "password=wheelhouse-demo" "$base/login"
export SOAK_SESSION=$(awk '$6 == "wh_session" { print $7 }' "$jar")
[ -n "$SOAK_SESSION" ] || { echo "soak: sign-in failed" >&2; exit 1; }
for page in general members secrets; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: wh_session=$SOAK_SESSION" "$base/orgs/demo/settings/$page")
  [ "$status" = 200 ] || { echo "soak: $page answered $status" >&2; exit 1; }
done

responder() { pgrep -P "$(pgrep -f "supervise.sh $bin serve" | head -n1)" | head -n1; }
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
  f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : 60000; printf "%.2f", n * f }'; }
db=$data/wheelhouse.sqlite
printf '%-6s %9s %8s %8s %9s %9s %9s %8s %7s\n' minute req/s p50_ms p99_ms rss_MB wal_MB errors sessions audit
# People keep signing in meanwhile (SOAK_SIGNIN_PAUSE seconds between sign-ins, 0.1; "off" for
# none): sessions pile up as on a real console, which is what slowed the Members page and grew
# the responder's memory before issue 10 (see bench/README.md).
signin_pause=${SOAK_SIGNIN_PAUSE:-0.1}
if [ "$signin_pause" != off ]; then
  (
    while true; do
      j=$(mktemp "$work/signin.XXXXXX")
      c=$(curl -s -c "$j" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
      curl -s -b "$j" -o /dev/null --data-urlencode "_csrf=$c" --data-urlencode "email=owner@demo.test" \
        --data-urlencode "password=wheelhouse-demo" "$base/login"
      rm -f "$j"
      sleep "$signin_pause"
    done
  ) &
  churn_pid=$!
fi
# A first, unmeasured run warms the caches (prepared statements, page shapes, SQLite's pages):
# the halves compare steady states, not a cold start with a warm one.
wrk -t2 -c"$conns" -d"${SOAK_WARMUP_SECONDS:-20}s" -s "$root/bench/soak.lua" "$base" >/dev/null 2>&1
p99s=()
for minute in $(seq "$minutes"); do
  out=$(wrk -t2 -c"$conns" -d"${step}s" --latency -s "$root/bench/soak.lua" "$base" 2>&1)
  rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errors=$(awk '/Non-2xx|Socket errors/ { s = s $0 " " } END { print (s == "" ? 0 : "yes") }' <<<"$out")
  rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$(responder)/status")
  wal=$(stat -c %s "$db-wal" 2>/dev/null | awk '{ printf "%.1f", $1 / 1048576 }')
  rows=$(sqlite3 -readonly "$db" "SELECT (SELECT count(*) FROM session), (SELECT count(*) FROM auditEvent)" | tr '|' ' ')
  printf '%-6s %9s %8s %8s %9s %9s %9s %8s %7s\n' "$minute" "$rps" "$p50" "$p99" "$rss" "${wal:-0}" "$errors" $rows
  p99s+=("$p99")
done
half=$(( minutes / 2 ))
first=$(printf '%s\n' "${p99s[@]:0:$half}" | awk '{ s += $1 } END { printf "%.2f", s / NR }')
second=$(printf '%s\n' "${p99s[@]:$half}" | awk '{ s += $1 } END { printf "%.2f", s / NR }')
change=$(awk -v a="$first" -v b="$second" 'BEGIN { printf "%.1f", (b - a) / a * 100 }')
echo "p99 first half ${first} ms, second half ${second} ms: ${change} %"
awk -v c="$change" 'BEGIN { exit (c < 20 && c > -20) ? 0 : 1 }' || { echo "soak: the halves differ by 20 % or more" >&2; exit 1; }
