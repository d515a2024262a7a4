#!/usr/bin/env bash
# `make bench`: one nginx in front of three things, measured in one run with wrk:
#   static   a file from Public/ served by nginx itself (the ceiling)
#   ref      bench/reference.c, a minimal C libfcgi responder with a fixed 8 KB page (the floor
#            any FastCGI responder pays)
#   general  the rendered General settings page as the signed-in Owner
#   usage    the Usage page (current month) as the Owner, for an org whose rollups hold 10 000 000
#            events (seeded as rollups directly, see bench/README.md); goal: >= 0.5 x General's
#            req/s and p99 < 20 ms
#   members  the demo's Members page (5 members, 1 invitation), and
#   members-10k  the Members page of an org with 10 000 pending invitations (BENCH_INVITATIONS);
#            goal: >= 0.5 x the demo Members page's req/s
#   members-deep  page 150 of that list, reached as its Next link reaches it (after the last row
#            of page 149): about the cost of page 1
#   audit-1m  the Audit log page (newest 50) of an org with 1 000 000 entries (BENCH_AUDIT_ENTRIES);
#            goal: >= 0.8 x General's req/s
#   billing  the Billing tab's Plan page (meters, catalog, subscription) of the demo org as the Owner;
#            goal: >= 0.8 x General's req/s (paired rounds, as audit-1m)
#   api-org  GET /api/v1/org with a bearer key; goal: >= General's req/s
#   api-events  POST /api/v1/usage/events, batches of 5 000 generated events one after another
#            (BENCH_API_BATCHES); goal: >= 100 000 events/s, as `usage import`
# before that, a full data export of the demo org (time) and `wheelhouse usage import` of 1 000 000
# generated events (events/s) — with its AI-credit debits (SaaS), and the same file into a copy of
# the database in enterprise mode (no debits), one after the other; goal: with <= 1.10 x without —
# and after it
# user-space instructions per General request under callgrind. See bench/README.md.
#
# Environment (defaults in brackets):
#   BENCH_SECONDS [10]          wrk duration per target (warm-up: 1 s each)
#   BENCH_CONNECTIONS [64]      wrk connections; WRK_THREADS [2]
#   BENCH_TARGETS ["static ref general usage members members-10k members-deep"]   which wrk targets to run
#   BENCH_INVITATIONS [10000]   pending invitations of the members-10k org
#   BENCH_AUDIT_ENTRIES [1000000]  audit entries of the audit-1m org
#   BENCH_IMPORT_EVENTS [1000000]  events generated and imported (0 skips the import phase)
#   BENCH_ROLLUP_EVENTS [10000000] events the usage org's synthetic rollups add up to
#   BENCH_CALLGRIND [1]         0 skips the callgrind phase
#   CALLGRIND_N1 [20], CALLGRIND_N2 [120]  requests in the two callgrind runs
#   CALLGRIND_PATH [General's]  the page the callgrind runs request (e.g. /orgs/bench-audit/settings/audit,
#                               or /api/v1/org with the api-org target, which makes the key)
#   WORKERS [4]                 `wheelhouse serve --workers`; REF_THREADS [= WORKERS]
#   WHEELHOUSE_KEEPALIVE [off]  fastcgi_keep_conn for both responders
#   NGINX_WORKERS [1]           BENCH_PORT [18080], BENCH_REF_PORT [BENCH_PORT+1]
#   BENCH_PAIRS [7]             paired General/Audit rounds (2 s each) after the audit-1m target; 0 skips
#   BENCH_API_BATCHES [40]      5 000-event batches the api-events target posts
#   BENCH_KEEP [0]              1 keeps the temporary data directory (logs, callgrind files)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${WHEELHOUSE_BIN:-$root/.build/release/wheelhouse}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
targets=${BENCH_TARGETS:-static ref general usage members members-10k members-deep audit-1m billing api-org api-events}
api_batches=${BENCH_API_BATCHES:-40}
invitations=${BENCH_INVITATIONS:-10000}
audit_entries=${BENCH_AUDIT_ENTRIES:-1000000}
import_events=${BENCH_IMPORT_EVENTS:-1000000}
rollup_events=${BENCH_ROLLUP_EVENTS:-10000000}
do_callgrind=${BENCH_CALLGRIND:-1}
n1=${CALLGRIND_N1:-20}
pair_rounds=${BENCH_PAIRS:-7}
n2=${CALLGRIND_N2:-120}
workers=${WORKERS:-4}
ref_threads=${REF_THREADS:-$workers}
keepalive=${WHEELHOUSE_KEEPALIVE:-off}
nginx_workers=${NGINX_WORKERS:-1}
port=${BENCH_PORT:-18080}
ref_port=${BENCH_REF_PORT:-$((port + 1))}
org_path=/orgs/demo/settings/general
usage_path=/orgs/demo/settings/usage
members_path=/orgs/demo/settings/members
members_10k_path=/orgs/bench-invites/settings/members
audit_path=/orgs/bench-audit/settings/audit
billing_path=/orgs/demo/settings/billing
static_path=/static/app.css
cg_path=${CALLGRIND_PATH:-$org_path}

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin is missing: run swift build -c release --product wheelhouse"
for tool in gcc nginx wrk curl; do command -v "$tool" >/dev/null || die "$tool is not installed (make bench installs it)"; done
[ "$do_callgrind" = 0 ] || command -v valgrind >/dev/null || die "valgrind is not installed"
case "$keepalive" in on|off) ;; *) die "WHEELHOUSE_KEEPALIVE must be on or off" ;; esac
(( n2 > n1 && n1 > 0 )) || die "CALLGRIND_N2 must be larger than CALLGRIND_N1 > 0"
for p in "$port" "$ref_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use: set BENCH_PORT"; fi
done

# ---------------------------------------------------------------- set-up and clean-up
mkdir -p "$root/.build/bench"
ref_bin=$root/.build/bench/reference
gcc -O2 -Wall -o "$ref_bin" "$root/bench/reference.c" -lfcgi -lpthread

data=$(mktemp -d /tmp/wheelhouse-bench.XXXXXX)
export WHEELHOUSE_DATA_DIR=$data
export WHEELHOUSE_TEMPLATES=$root/Templates
export WHEELHOUSE_BASE_URL=http://127.0.0.1:$port
socket=$data/wheelhouse.sock
ref_socket=$data/reference.sock
log=$data/wheelhouse.log
base=http://127.0.0.1:$port
nginx_pid="" ref_pid="" app_pid=""
ok=0

stop_pid() { # stop_pid PID: SIGTERM, then wait (SIGKILL after 20 s)
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM
  stop_pid "$app_pid"; stop_pid "$ref_pid"; stop_pid "$nginx_pid"
  if [ "$ok" = 1 ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -rf "$data"
  else
    echo "bench: logs and data kept in $data" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_socket() { # wait_socket PATH PID
  for _ in $(seq 2400); do
    [ -S "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || die "process $2 exited before listening on $1 (see $data)"
    sleep 0.05
  done
  die "nothing listens on $1 after 120 s"
}
start_app() { # start_app [wrapper…]: wheelhouse serve in the background, waits for its socket
  rm -f "$socket"
  "$@" "$bin" serve --listen "$socket" --workers "$app_workers" 2>>"$log" &
  app_pid=$!
  wait_socket "$socket" "$app_pid"
}

"$bin" migrate >/dev/null
"$bin" demo >/dev/null
# The demo org as `make run` has it: its full data export, built at once (the worker's job).
export_line=$("$bin" export demo "$data/demo-export.zip" 2>&1 | tail -n1)
rm -f "$data/demo-export.zip"

# ---------------------------------------------------------------- usage: import, then 10 M events of rollups
import_line=""
if [ "$import_events" != 0 ]; then
  # The same database without billing: a copy, imported into in enterprise mode (no credit debits).
  plain=$data/plain
  mkdir -p "$plain"
  cp -a "$data/." "$plain/" 2>/dev/null || true
  rm -rf "$plain/plain"
  "$bin" usage generate --org demo --events "$import_events" --days 90 --seed 7 --key-prefix bench > "$data/bench-events.jsonl"
  plain_line=$(WHEELHOUSE_DATA_DIR=$plain WHEELHOUSE_MODE=enterprise "$bin" usage import "$data/bench-events.jsonl" 2>&1 | tail -n1)
  import_line=$("$bin" usage import "$data/bench-events.jsonl" 2>&1 | tail -n1)
  seconds_of() { sed -n 's/.* in \([0-9.]*\) s .*/\1/p' <<<"$1"; }
  import_ratio=$(awk -v a="$(seconds_of "$import_line")" -v b="$(seconds_of "$plain_line")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  rm -rf "$plain" "$data/bench-events.jsonl"
fi
seed_line=$("$bin" usage seed-rollups --org demo --events "$rollup_events" --days 365)
invitations_line=""
if [[ " $targets " == *" members-10k "* || " $targets " == *" members-deep "* ]]; then
  invitations_line=$("$bin" bench-seed-invitations --count "$invitations" --org-key bench-invites)
fi
audit_line=""
if [[ " $targets " == *" audit-1m "* ]]; then
  audit_line=$("$bin" bench-seed-audit --count "$audit_entries" --org-key bench-audit)
fi
api_key=""
if [[ " $targets " == *" api-"* ]]; then
  api_key=$("$bin" bench-api-key --org demo --scopes org:read,usage:write)
  # The per-key limit guards against runaway clients; it is counted here as always, but set to
  # its ceiling (4 194 303 a minute), out of the reach of this run.
  export WHEELHOUSE_API_RATE_LIMIT=4194303
fi
app_workers=$workers
start_app
"$ref_bin" "$ref_threads" "$ref_socket" &
ref_pid=$!
wait_socket "$ref_socket" "$ref_pid"

"$root/scripts/nginx-config.sh" "$data" "$port" "unix:$socket" "$keepalive" "$nginx_workers"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
sed -e "s|@DATA@|$data|g" -e "s|@USER_LINE@|$user_line|g" -e "s|@NGINX_WORKERS@|$nginx_workers|g" \
    -e "s|@REF_PORT@|$ref_port|g" -e "s|@REF_UPSTREAM@|unix:$ref_socket|g" -e "s|@KEEPALIVE@|$keepalive|g" \
    -e "s|@PORT@|$port|g" "$root/bench/nginx.conf.template" > "$data/bench-nginx.conf"
nginx -t -q -c "$data/bench-nginx.conf" -p "$data"
nginx -c "$data/bench-nginx.conf" -p "$data" &
nginx_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$base$static_path" && break; sleep 0.05; done

# ---------------------------------------------------------------- sign in, check the page
sign_in() { # prints the wh_session token of a fresh session of the demo Owner
  local jar=$data/cookies.txt csrf status token
  rm -f "$jar"
  curl -s -c "$jar" -o "$data/login.html" "$base/login"
  csrf=$(grep -o '<input[^>]*name="_csrf"[^>]*>' "$data/login.html" | sed -n 's/.*value="\([^"]*\)".*/\1/p' | head -n1)
  [ -n "$csrf" ] || die "GET /login rendered no _csrf field"
  status=$(curl -s -b "$jar" -D "$data/login-headers.txt" -o /dev/null -w '%{http_code}' \
    --data-urlencode "_csrf=$csrf" --data-urlencode "email=owner@demo.test" \
    --data-urlencode "password=wheelhouse-demo" --data-urlencode "next=$org_path" "$base/login")
  token=$(tr -d '\r' < "$data/login-headers.txt" | sed -n 's/^[Ss]et-[Cc]ookie: wh_session=\([^;]*\).*/\1/p' | head -n1)
  [ "$status" = 303 ] && [ -n "$token" ] || die "POST /login answered $status without a wh_session cookie"
  echo "$token"
}
session=$(sign_in)
cookie="Cookie: wh_session=$session"
read -r page_status page_bytes page_header_bytes < <(curl -s -H "$cookie" -o "$data/general.html" \
  -w '%{http_code} %{size_download} %{size_header}\n' "$base$org_path")
[ "$page_status" = 200 ] || die "GET $org_path as the Owner answered $page_status, not 200"
grep -q 'name="display_name"' "$data/general.html" || die "the General page has no display_name field"
read -r usage_status usage_bytes < <(curl -s -H "$cookie" -o "$data/usage.html" -w '%{http_code} %{size_download}\n' "$base$usage_path")
[ "$usage_status" = 200 ] || die "GET $usage_path as the Owner answered $usage_status, not 200"
grep -q 'id="runs-chart-title"' "$data/usage.html" || die "the Usage page has no runs chart"
for members_target in "$members_path" "$members_10k_path"; do
  [[ " $targets " == *" members"* ]] || break
  read -r members_status < <(curl -s -H "$cookie" -o "$data/members.html" -w '%{http_code}\n' "$base$members_target")
  [ "$members_status" = 200 ] || die "GET $members_target as the Owner answered $members_status, not 200"
done
if [[ " $targets " == *" audit-1m "* ]]; then
  read -r audit_status < <(curl -s -H "$cookie" -o "$data/audit.html" -w '%{http_code}\n' "$base$audit_path")
  [ "$audit_status" = 200 ] || die "GET $audit_path as the Owner answered $audit_status, not 200"
  grep -q 'bench entry' "$data/audit.html" || die "the Audit log page lists no entry"
fi
members_deep_path=""
if [[ " $targets " == *" members-deep "* ]]; then
  # The Next link of page 149 names its last row: page 150 starts after it.
  members_deep_path=$(curl -s -H "$cookie" "$base$members_10k_path?page=149" |
    sed -n 's/.*href="\([^"]*\)" rel="next".*/\1/p' | sed 's/&amp;/\&/g' | head -n1)
  [[ "$members_deep_path" == *"page=150&after="* ]] || die "page 149 of $members_10k_path has no Next link after a row"
  read -r members_status < <(curl -s -H "$cookie" -o "$data/members-deep.html" -w '%{http_code}\n' "$base$members_deep_path")
  [ "$members_status" = 200 ] || die "GET $members_deep_path as the Owner answered $members_status, not 200"
fi
read -r static_bytes < <(curl -s -o /dev/null -w '%{size_download}\n' "$base$static_path")
read -r ref_status ref_bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "http://127.0.0.1:$ref_port/")
[ "$ref_status" = 200 ] || die "the C reference answered $ref_status"

# ---------------------------------------------------------------- wrk
to_ms() { # 535.00us | 3.50ms | 1.20s | 1.00m  ->  milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1;
    if (f < 0) print "?"; else printf "%.2f", n * f }'
}
to_bytes() { # 1.02GB -> bytes (wrk uses powers of 1024)
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "B") ? 1 : (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : (u == "TB") ? 1099511627776 : 0;
    printf "%.0f", n * f }'
}
general_log_count() { # answered requests for PATH (default General) in the responder's log: "TOTAL OK"
  sleep 0.5 # requests still in flight when wrk stops are answered and logged
  awk -v p="GET ${1:-$org_path}" '{ i = index($0, p " "); if (i) { t++; if (substr($0, i + length(p) + 1, 4) == "200 ") o++ } }
    END { print t + 0, o + 0 }' "$log"
}

declare -A rps p50 p99 non2xx sockerr timeouts reqs perresp
run_wrk() { # run_wrk NAME URL [wrk options…]
  local name=$1 url=$2 out=$data/wrk-$1.txt
  shift 2
  wrk -t"$wrk_threads" -c"$conns" -d1s "$@" "$url" >/dev/null
  wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --latency "$@" "$url" > "$out"
  rps[$name]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  p50[$name]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99[$name]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  non2xx[$name]=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  non2xx[$name]=${non2xx[$name]:-0}
  # "Socket errors: connect 0, read 0, write 0, timeout 0": timeouts (wrk gives up after 2 s) apart
  sockerr[$name]=$(awk '/Socket errors:/ { print $4 + $6 + $8 }' "$out")
  sockerr[$name]=${sockerr[$name]:-0}
  timeouts[$name]=$(awk '/Socket errors:/ { print $10 + 0 }' "$out")
  timeouts[$name]=${timeouts[$name]:-0}
  reqs[$name]=$(awk '/requests in/ { print $1 }' "$out")
  local read_bytes
  read_bytes=$(to_bytes "$(awk '/requests in/ { print $(NF - 1) }' "$out")")
  perresp[$name]=$(( reqs[$name] > 0 ? read_bytes / reqs[$name] : 0 ))
}

echo "Wheelhouse bench — $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
echo "wrk -t$wrk_threads -c$conns -d${secs}s --latency (after a 1 s warm-up) · nginx $nginx_workers worker ·" \
     "fastcgi_keep_conn $keepalive · wheelhouse --workers $workers · C reference $ref_threads threads"
if [ "$keepalive" = on ] && (( workers <= conns || ref_threads <= conns )); then
  echo "warning: keep-alive on with threads <= $conns connections: expect stalled requests (see FASTCGI-NOTES)"
fi
echo "bodies: static $static_bytes B, C reference $ref_bytes B, General $page_bytes B (+ $page_header_bytes B headers), Usage $usage_bytes B"
if [ -n "$import_line" ]; then
  echo "usage import of $import_events generated events, with credit debits: $import_line"
  echo "the same without billing (enterprise mode, a copy of the database): $plain_line"
  echo "usage import with debits / without: $import_ratio of the time  (goal: <= 1.10)"
fi
[ -n "$invitations_line" ] && echo "members-10k org: $invitations_line"
[ -n "$audit_line" ] && echo "audit-1m org: $audit_line"
echo "full data export of the demo org: $export_line"
echo "usage org: $seed_line"
echo

# api-events: BENCH_API_BATCHES bodies of 5 000 fresh generated events each, made before the
# clock starts, then posted one after another on one connection; every answer must be 200 with
# all 5 000 accepted.
post_event_batches() {
  local dir=$data/api-batches started ended bad
  mkdir -p "$dir"
  "$bin" usage generate --org demo --events $((api_batches * 5000)) --days 20 --seed 11 --key-prefix api-bench |
    awk -v dir="$dir" '{ f = sprintf("%s/batch-%04d.json", dir, int((NR - 1) / 5000)) }
      (NR - 1) % 5000 == 0 { if (prev) { print "]}" > prev; close(prev) } printf "{\"events\":[" > f; prev = f; sep = "" }
      { printf "%s%s", sep, $0 > f; sep = "," } END { if (prev) print "]}" > prev }'
  # `--next` between requests: curl would otherwise send every body to every URL.
  local args=() f
  for f in "$dir"/batch-*.json; do
    args+=(--next -s -H "Authorization: Bearer $api_key" -H "Content-Type: application/json" --data-binary "@$f" -o "$f.out"
      -w '%{http_code}\n' "$base/api/v1/usage/events")
  done
  started=$(date +%s.%N)
  curl "${args[@]:1}" > "$dir/codes"
  ended=$(date +%s.%N)
  bad=$(grep -vc '^200$' "$dir/codes" || true)
  accepted=$(cat "$dir"/*.out | grep -o '"accepted":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
  api_events_rate=$(awk -v n="$accepted" -v a="$started" -v b="$ended" 'BEGIN { printf "%.0f", n / (b - a) }')
  api_events_line="API POST /usage/events: $accepted of $((api_batches * 5000)) events accepted in $api_batches batches of 5 000,"
  api_events_line+=" $(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", b - a }') s: $api_events_rate events/s  (goal: >= 100 000 events/s)"
  if [ "$bad" != 0 ] || [ "$accepted" != $((api_batches * 5000)) ]; then api_events_failed=1; fi
  rm -rf "$dir"
}
api_events_line=""
api_events_failed=0

before=$(general_log_count)
usage_before=$(general_log_count "$usage_path")
for target in $targets; do
  case "$target" in
    static) run_wrk static "$base$static_path" ;;
    ref) run_wrk ref "http://127.0.0.1:$ref_port/" ;;
    general) run_wrk general "$base$org_path" -H "$cookie" ;;
    usage) run_wrk usage "$base$usage_path" -H "$cookie" ;;
    members) run_wrk members "$base$members_path" -H "$cookie" ;;
    members-10k) run_wrk members-10k "$base$members_10k_path" -H "$cookie" ;;
    members-deep) run_wrk members-deep "$base$members_deep_path" -H "$cookie" ;;
    audit-1m) run_wrk audit-1m "$base$audit_path" -H "$cookie" ;;
    billing) run_wrk billing "$base$billing_path" -H "$cookie" ;;
    api-org) run_wrk api-org "$base/api/v1/org" -H "Authorization: Bearer $api_key" ;;
    api-events) post_event_batches ;;
    *) die "unknown target $target (static, ref, general, usage, members, members-10k, members-deep, audit-1m, billing, api-org, api-events)" ;;
  esac
done
after=$(general_log_count)
usage_after=$(general_log_count "$usage_path")

label() { case $1 in static) echo "static $static_path (nginx)";; ref) echo "C reference 8 KB (libfcgi)";; general) echo "General page, Owner";; usage) echo "Usage page, 10 M events";;
  members) echo "Members page, demo";; members-10k) echo "Members, $invitations pending";;
  members-deep) echo "Members, page 150 by Next";; audit-1m) echo "Audit log, $audit_entries entries";; billing) echo "Billing (Plan), Owner";;
  api-org) echo "API GET /org";; esac; }
printf '%-30s %8s %8s %8s %8s %8s %8s %8s\n' target "req/s" "p50 ms" "p99 ms" "non-2xx" timeouts "sock err" "B/resp"
for target in ${targets/api-events/}; do
  printf '%-30s %8s %8s %8s %8s %8s %8s %8s\n' "$(label "$target")" "${rps[$target]}" "${p50[$target]}" \
    "${p99[$target]}" "${non2xx[$target]}" "${timeouts[$target]}" "${sockerr[$target]}" "${perresp[$target]}"
done
for target in ${targets/api-events/}; do
  # wrk keeps every connection busy, so the mean latency must be about connections / rate; a p99
  # below that means some connections waited far longer than the figures show (or never finished).
  implied=$(awk -v c="$conns" -v r="${rps[$target]}" 'BEGIN { if (r > 0) printf "%.1f", 1000 * c / r; else print 0 }')
  if awk -v a="${p99[$target]}" -v b="$implied" 'BEGIN { exit !(a + 0 < b / 2) }'; then
    echo "warning: $(label "$target"): p99 ${p99[$target]} ms is below the mean latency that $conns connections at" \
         "${rps[$target]} req/s imply ($implied ms): some connections stalled, and requests that never completed are" \
         "missing from wrk's latency figures"
  fi
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# paired_rounds LABEL PATH: the runs above are seconds apart, and on a shared machine the load
# changes in between: BENCH_PAIRS rounds measure General and PATH back to back (2 s each), and the
# median of the rounds' ratios holds (goal: >= 0.80).
paired_rounds() {
  local label=$1 path=$2 ratios=() g p median
  ((pair_rounds > 0)) || return 0
  for ((round = 1; round <= pair_rounds; round++)); do
    g=$(wrk -t"$wrk_threads" -c"$conns" -d2s "$base$org_path" -H "$cookie" | awk '/^Requests\/sec:/ { print $2 }')
    p=$(wrk -t"$wrk_threads" -c"$conns" -d2s "$base$path" -H "$cookie" | awk '/^Requests\/sec:/ { print $2 }')
    ratios+=("$(ratio "$p" "$g")")
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  echo "$label / General in $pair_rounds paired rounds of 2 s each: ${ratios[*]}; median $median  (goal: >= 0.80)"
}
failed=0
if [[ " $targets " == *" general "* ]]; then
  [[ " $targets " == *" ref "* ]] && echo "General / C reference: $(ratio "${rps[general]}" "${rps[ref]}") of its req/s," \
    "p99 $(ratio "${p99[general]}" "${p99[ref]}")x  (goal: req/s ratio >= 0.50)"
  [[ " $targets " == *" static "* ]] && echo "General / static:      $(ratio "${rps[general]}" "${rps[static]}") of its req/s," \
    "p99 $(ratio "${p99[general]}" "${p99[static]}")x"
  read -r t0 o0 <<<"$before"
  read -r t1 o1 <<<"$after"
  answered=$((t1 - t0)) answered_ok=$((o1 - o0))
  echo "General status check: wrk non-2xx/3xx = ${non2xx[general]}; responder log: $answered_ok of $answered" \
       "General requests answered 200 (wrk counted ${reqs[general]}, plus its warm-up), $((answered - answered_ok)) other"
  if [ "${non2xx[general]}" != 0 ] || [ "$answered_ok" != "$answered" ] || [ "$answered" = 0 ]; then
    echo "FAIL: some General requests were not answered 200" >&2
    failed=1
  fi
  if (( perresp[general] < (page_bytes + page_header_bytes) * 9 / 10 )); then
    echo "FAIL: ${perresp[general]} B per response, the signed-in page is $((page_bytes + page_header_bytes)) B" >&2
    failed=1
  fi
  if [ "${timeouts[general]}" != 0 ] || [ "${sockerr[general]}" != 0 ]; then
    echo "warning: General had ${timeouts[general]} requests time out (> 2 s) and ${sockerr[general]} other socket errors;" \
         "p50/p99 count only the requests that completed"
  fi
fi
if [[ " $targets " == *" usage "* ]]; then
  [[ " $targets " == *" general "* ]] && echo "Usage / General:       $(ratio "${rps[usage]}" "${rps[general]}") of its req/s," \
    "p99 ${p99[usage]} ms  (goals: req/s ratio >= 0.50, p99 < 20 ms)"
  read -r t0 o0 <<<"$usage_before"
  read -r t1 o1 <<<"$usage_after"
  echo "Usage status check: wrk non-2xx/3xx = ${non2xx[usage]}; responder log: $((o1 - o0)) of $((t1 - t0)) answered 200"
  if [ "${non2xx[usage]}" != 0 ] || [ "$((o1 - o0))" != "$((t1 - t0))" ] || (( perresp[usage] < usage_bytes * 9 / 10 )); then
    echo "FAIL: some Usage requests were not answered 200 with the full page" >&2
    failed=1
  fi
fi
if [[ " $targets " == *" members "* && " $targets " == *" members-10k "* ]]; then
  echo "Members $invitations pending / demo: $(ratio "${rps[members-10k]}" "${rps[members]}") of its req/s," \
    "p99 ${p99[members-10k]} vs ${p99[members]} ms  (goal: req/s ratio >= 0.50)"
  if [ "${non2xx[members]}" != 0 ] || [ "${non2xx[members-10k]}" != 0 ]; then
    echo "FAIL: some Members requests were not answered 200" >&2
    failed=1
  fi
fi
if [[ " $targets " == *" general "* && " $targets " == *" audit-1m "* ]]; then
  echo "Audit log $audit_entries entries / General: $(ratio "${rps[audit-1m]}" "${rps[general]}") of its req/s," \
    "p99 ${p99[audit-1m]} vs ${p99[general]} ms  (goal: req/s ratio >= 0.80)"
  paired_rounds "Audit log" "$audit_path"
  if [ "${non2xx[audit-1m]}" != 0 ]; then
    echo "FAIL: some Audit log requests were not answered 200" >&2
    failed=1
  fi
fi
if [[ " $targets " == *" general "* && " $targets " == *" billing "* ]]; then
  echo "Billing / General: $(ratio "${rps[billing]}" "${rps[general]}") of its req/s," \
    "p99 ${p99[billing]} vs ${p99[general]} ms  (goal: req/s ratio >= 0.80)"
  paired_rounds "Billing" "$billing_path"
  if [ "${non2xx[billing]}" != 0 ]; then
    echo "FAIL: some Billing requests were not answered 200" >&2
    failed=1
  fi
fi
if [[ " $targets " == *" members-10k "* && " $targets " == *" members-deep "* ]]; then
  echo "Members page 150 / page 1: $(ratio "${rps[members-deep]}" "${rps[members-10k]}") of its req/s," \
    "p99 ${p99[members-deep]} vs ${p99[members-10k]} ms  (goal: about 1: Next costs the same however deep)"
  if [ "${non2xx[members-deep]}" != 0 ]; then
    echo "FAIL: some deep Members requests were not answered 200" >&2
    failed=1
  fi
fi
if [[ " $targets " == *" general "* && " $targets " == *" api-org "* ]]; then
  echo "API GET /org / General: $(ratio "${rps[api-org]}" "${rps[general]}") of its req/s, p99 ${p99[api-org]} vs ${p99[general]} ms  (goal: >= 1.00)"
  if [ "${non2xx[api-org]}" != 0 ]; then
    echo "FAIL: some API GET /org requests were not answered 200" >&2
    failed=1
  fi
fi
if [ -n "$api_events_line" ]; then
  echo "$api_events_line"
  if [ "$api_events_failed" != 0 ]; then
    echo "FAIL: some event batches were not answered 200 with every event accepted" >&2
    failed=1
  fi
fi
[ "$failed" = 0 ] || exit 1

# ---------------------------------------------------------------- callgrind
if [ "$do_callgrind" != 0 ]; then
  echo
  echo "callgrind: wheelhouse serve --workers 1 under valgrind, requests one at a time through nginx"
  # Each run: a fresh session signed in on the normal responder (so no run pays the once-a-minute
  # lastSeenAt write), then the responder under callgrind answers N General requests and stops.
  # Run 2 also dumps after N1 requests, so its last part holds only the N2-N1 requests after them.
  callgrind_run() { # callgrind_run NAME N [DUMP_AT]
    local name=$1 n=$2 dump_at=${3:-0} token codes sent=0 chunk header
    token=$(sign_in)
    stop_pid "$app_pid"; app_pid=""
    app_workers=1
    start_app valgrind --tool=callgrind --callgrind-out-file="$data/callgrind.$name" \
      --log-file="$data/valgrind.$name.log"
    : > "$data/codes.$name"
    while (( sent < n )); do
      chunk=$(( dump_at > sent ? dump_at - sent : n - sent ))
      # One curl, many URLs: one client connection to nginx, one FastCGI connection per request.
      # An API path is requested with the bench's key instead of the session.
      if [[ "$cg_path" == /api/* ]]; then header="Authorization: Bearer $api_key"; else header="Cookie: wh_session=$token"; fi
      curl -s -w '%{http_code}\n' -H "$header" \
        $(for _ in $(seq "$chunk"); do echo "-o /dev/null $base$cg_path"; done) >> "$data/codes.$name"
      sent=$((sent + chunk))
      if (( sent == dump_at )); then callgrind_control -d "$app_pid" >/dev/null 2>&1; fi
    done
    codes=$(grep -c '^200$' "$data/codes.$name" || true)
    [ "$codes" = "$n" ] || die "callgrind run $name: only $codes of $n requests answered 200"
    stop_pid "$app_pid"; app_pid=""
    app_workers=$workers
    start_app
  }
  total_ir() { # the events total of one callgrind output file
    awk '/^(summary|totals):/ { print $2; exit }' "$1"
  }
  callgrind_run one "$n1"
  callgrind_run two "$n2" "$n1"
  i1=$(total_ir "$data/callgrind.one")
  part1=$(total_ir "$data/callgrind.two.1")
  steady=$(ls "$data"/callgrind.two* | grep -v '\.1$' | grep -v '\.log$' | sort | tail -n1)
  part2=$(total_ir "$steady")
  i2=$((part1 + part2))
  per=$(( (i2 - i1) / (n2 - n1) ))
  echo "  run 1: $n1 requests, I1 = $i1 instructions (start-up, $n1 requests, shutdown)"
  echo "  run 2: $n2 requests, I2 = $i2 (dumped after $n1: $part1, then $part2)"
  echo "  instructions per request of $cg_path: (I2 - I1) / (N2 - N1) = $per"
  echo "  cross-check, run 2 after its first $n1 requests only: $(( part2 / (n2 - n1) )) per request" \
       "(includes shutdown); the C reference spends ~16 400 measured the same way"
  demangle() { if command -v swift-demangle >/dev/null; then swift-demangle --simplified; else cat; fi; }
  top() { # top yes|no COUNT: functions of the steady-state part, in instructions per request
    local total
    total=$(total_ir "$steady")
    callgrind_annotate --inclusive="$1" --threshold=100 --auto=no "$steady" 2>/dev/null |
      awk '/file:function/ { body = 1; next }  body && /^$/ && seen { body = 0 }
           body && match($0, /^ *[0-9][0-9,]* +\([^)]*\) +/) {
             seen = 1; ir = $1; gsub(",", "", ir); name = substr($0, RLENGTH + 1)
             sub(/ \[[^]]*\]$/, "", name); sub(/^[^:]*:/, "", name); print ir "\t" name }' |
      demangle |
      awk -F '\t' -v mode="$1" -v total="$total" -v n=$((n2 - n1)) -v count="$2" '
        $2 ~ /^(clone|start_thread|NSThreadStart\(_:\)|@objc NSThreadStart\(_:\)|Thread\.main\(\)|0x[0-9a-f]+)$/ { next }
        $2 ~ /\x27[0-9]+$/ { next }                 # recursion levels: inclusive counted twice
        $1 > total / 2 && mode == "no" { next }      # frames on the stack at the dump, not self cost
        $1 > total { next }
        !($2 in cost) { order[++k] = $2 }
        mode == "no" { cost[$2] += $1; next }        # one function, code attributed to several files
        $1 > cost[$2] { cost[$2] = $1 }
        END {
          for (i = 1; i <= k; i++) print cost[order[i]] "\t" order[i]
        }' | sort -t $'\t' -k1,1 -rn |
      awk -F '\t' -v total="$total" -v n=$((n2 - n1)) -v count="$2" '
        NR <= count { printf "  %10.0f %6.1f%%  %s\n", $1 / n, 100 * $1 / total, substr($2, 1, 130) }'
  }
  echo
  echo "  top 15 functions by inclusive cost, per request (thread entry and recursion levels left out):"
  top yes 15
  echo
  echo "  top 15 functions by self cost, per request:"
  top no 15
fi
ok=1
exit 0
