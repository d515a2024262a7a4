#!/usr/bin/env bash
# `make run`: migrate, seed the demo on an empty database, then serve the console through nginx
# until Ctrl-C, which stops both the responder and nginx. The responder is kept up by
# scripts/supervise.sh: if it dies it is started again within a second or so, while nginx answers
# with Public/502.html. Everything written under the data directory is the owner's alone.
set -euo pipefail
umask 077
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${WHEELHOUSE_BIN:-$root/.build/release/wheelhouse}
port=${PORT:-8080}
export WHEELHOUSE_DATA_DIR=${WHEELHOUSE_DATA_DIR:-$root/data}
mkdir -p "$WHEELHOUSE_DATA_DIR"
export WHEELHOUSE_DATA_DIR=$(cd "$WHEELHOUSE_DATA_DIR" && pwd)
# Data directories made by older versions were readable by everyone: mail with live invitation
# links, logos, logs. Only the owner from now on.
chmod -R go-rwx "$WHEELHOUSE_DATA_DIR"
export WHEELHOUSE_TEMPLATES=${WHEELHOUSE_TEMPLATES:-$root/Templates}
export WHEELHOUSE_BASE_URL=${WHEELHOUSE_BASE_URL:-http://127.0.0.1:$port}
# Invitation emails: to a real relay when WHEELHOUSE_SENDMAIL is set, else into data/mail/.
export WHEELHOUSE_SENDMAIL=${WHEELHOUSE_SENDMAIL:-$root/scripts/maildrop.sh}
socket=${WHEELHOUSE_LISTEN:-$WHEELHOUSE_DATA_DIR/run/wheelhouse.sock}
export WHEELHOUSE_LISTEN=$socket
# The request log: in a file of at most WHEELHOUSE_LOG_MAX_BYTES (10 MB) plus one older file,
# wheelhouse.log.1; SIGHUP makes the responder reopen it (for logrotate).
export WHEELHOUSE_LOG_FILE=${WHEELHOUSE_LOG_FILE:-$WHEELHOUSE_DATA_DIR/wheelhouse.log}
export WHEELHOUSE_LOG_MAX_BYTES=${WHEELHOUSE_LOG_MAX_BYTES:-10000000}

"$bin" migrate
"$bin" demo
# `make run SSO=demo`: a real OpenID Connect provider (oidc-provider-mock from PyPI, pinned as in
# Tests/e2e/requirements.txt) on loopback, and the demo organization's SSO pointed at it. The
# provider makes new signing keys at every start: the configuration is saved again each time,
# which queues a fresh discovery for serve's SSO worker.
sso_port=${SSO_PORT:-9400}
sso_info=""
if [ "${SSO:-}" = demo ]; then
  sso_info="  SSO: “Sign in with SSO” as any @demo.test address; the provider (http://127.0.0.1:$sso_port) offers the demo people
"
  sso_python=$root/.build/e2e-venv/bin/python
  if ! "$sso_python" -c 'import oidc_provider_mock' 2>/dev/null; then
    sso_python=$root/.build/sso-venv/bin/python
    if ! "$sso_python" -c 'import oidc_provider_mock' 2>/dev/null; then
      python3 -m venv "$root/.build/sso-venv"
      "$sso_python" -m pip install --quiet --disable-pip-version-check \
        -c "$root/Tests/e2e/requirements.txt" oidc-provider-mock==0.3.4
    fi
  fi
  export WHEELHOUSE_OUTBOUND_ALLOW=${WHEELHOUSE_OUTBOUND_ALLOW:+$WHEELHOUSE_OUTBOUND_ALLOW,}127.0.0.1/32
  "$bin" sso demo-config --issuer "http://127.0.0.1:$sso_port" --client-id wheelhouse-demo --client-secret demo-client-secret
fi
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

if [ "${SSO:-}" = demo ]; then
  # The demo people, each with a verified email, as buttons on the provider's sign-in page.
  people=()
  for who in owner admin member dev support; do
    people+=(--user-claims "{\"sub\":\"$who@demo.test\",\"email\":\"$who@demo.test\",\"email_verified\":true}")
  done
  "$sso_python" -m oidc_provider_mock --host 127.0.0.1 --port "$sso_port" "${people[@]}" \
    >>"$WHEELHOUSE_DATA_DIR/oidc-provider.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$sso_port/.well-known/openid-configuration" && break
    sleep 0.1
  done
fi
rm -f "$socket"
"$root/scripts/supervise.sh" "$bin" serve 2>>"$WHEELHOUSE_DATA_DIR/wheelhouse.log" &
pids+=($!)
for _ in $(seq 200); do [ -S "$socket" ] || [ "$upstream" != "unix:$socket" ] && break; sleep 0.05; done
nginx -c "$WHEELHOUSE_DATA_DIR/nginx.conf" -p "$WHEELHOUSE_DATA_DIR" &
pids+=($!)
sleep 0.3
cat <<INFO

  Wheelhouse is running at http://127.0.0.1:$port/
  Sign in as owner@demo.test with password wheelhouse-demo
  (also admin@, member@, dev@ and support@demo.test, same password; Olivia’s Lab shows the solo banner)
  Mode: ${WHEELHOUSE_MODE:-saas} · data in $WHEELHOUSE_DATA_DIR · request log in wheelhouse.log
  Mail (invitations) goes to: $WHEELHOUSE_SENDMAIL
$sso_info  Press Ctrl-C to stop.

INFO
wait -n "${pids[@]}" || true
echo "A process exited; see $WHEELHOUSE_DATA_DIR/wheelhouse.log and nginx-error.log" >&2
exit 1
