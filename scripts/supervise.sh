#!/usr/bin/env bash
# Keeps one command running: when it exits or is killed, it is started again after a short
# back-off (0.25 s, doubling up to 4 s; back to 0.25 s once a run lasted 30 s). SIGTERM or SIGINT
# is passed on to the command as SIGTERM; the supervisor then waits for it and exits 0.
# usage: scripts/supervise.sh COMMAND [ARG…]   (`make run` keeps `wheelhouse serve` up with it)
set -uo pipefail
child=""
pause=""
stopping=""
stop() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
  [ -n "$pause" ] && kill "$pause" 2>/dev/null
}
trap stop TERM INT
delay=0.25
while [ -z "$stopping" ]; do
  started=$SECONDS
  "$@" &
  child=$!
  status=0
  while :; do
    wait "$child"
    status=$?
    # A trapped signal ends `wait` early while the command still runs: wait again.
    kill -0 "$child" 2>/dev/null || break
  done
  child=""
  [ -n "$stopping" ] && break
  if (( SECONDS - started >= 30 )); then delay=0.25; fi
  echo "supervise: $1 exited with status $status; starting it again in ${delay}s" >&2
  sleep "$delay" &
  pause=$!
  wait "$pause" 2>/dev/null
  pause=""
  delay=$(awk -v d="$delay" 'BEGIN { d *= 2; print (d > 4 ? 4 : d) }')
done
exit 0
