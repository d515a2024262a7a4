#!/usr/bin/env bash
# `make run`: migrate, seed the demo on an empty database, then serve the console through nginx
# until Ctrl-C, which stops both the responder and nginx.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${WHEELHOUSE_BIN:-$root/.build/release/wheelhouse}
port=${PORT:-8080}
export WHEELHOUSE_DATA_DIR=${WHEELHOUSE_DATA_DIR:-$root/data}
mkdir -p "$WHEELHOUSE_DATA_DIR"
export WHEELHOUSE_DATA_DIR=$(cd "$WHEELHOUSE_DATA_DIR" && pwd)
export WHEELHOUSE_TEMPLATES=${WHEELHOUSE_TEMPLATES:-$root/Templates}
export WHEELHOUSE_BASE_URL=${WHEELHOUSE_BASE_URL:-http://127.0.0.1:$port}
# Invitation emails: to a real relay when WHEELHOUSE_SENDMAIL is set, else into data/mail/.
export WHEELHOUSE_SENDMAIL=${WHEELHOUSE_SENDMAIL:-$root/scripts/maildrop.sh}
socket=${WHEELHOUSE_LISTEN:-$WHEELHOUSE_DATA_DIR/wheelhouse.sock}
export WHEELHOUSE_LISTEN=$socket

"$bin" migrate
"$bin" demo
upstream="unix:$socket"
case "$socket" in *:*) upstream=$socket ;; esac
"$root/scripts/nginx-config.sh" "$WHEELHOUSE_DATA_DIR" "$port" "$upstream" "${WHEELHOUSE_KEEPALIVE:-off}"
nginx -t -q -c "$WHEELHOUSE_DATA_DIR/nginx.conf" -p "$WHEELHOUSE_DATA_DIR"

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping Wheelhouse…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped."
  exit 0
}
trap stop INT TERM EXIT

"$bin" serve 2>>"$WHEELHOUSE_DATA_DIR/wheelhouse.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$socket" ] || [ "$upstream" != "unix:$socket" ] && break; sleep 0.05; done
nginx -c "$WHEELHOUSE_DATA_DIR/nginx.conf" -p "$WHEELHOUSE_DATA_DIR" &
pids+=($!)
sleep 0.3
cat <<INFO

  Wheelhouse is running at http://127.0.0.1:$port/
  Sign in as owner@demo.test with password wheelhouse-demo
  (also admin@, member@, dev@ and support@demo.test, same password; Olivia’s Lab shows the solo banner)
  Mode: ${WHEELHOUSE_MODE:-saas} · data in $WHEELHOUSE_DATA_DIR · request log in wheelhouse.log
  Mail (invitations) goes to: $WHEELHOUSE_SENDMAIL
  Press Ctrl-C to stop.

INFO
wait -n "${pids[@]}" || true
echo "A process exited; see $WHEELHOUSE_DATA_DIR/wheelhouse.log and nginx-error.log" >&2
exit 1
