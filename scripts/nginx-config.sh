#!/usr/bin/env bash
# Writes nginx.conf and wheelhouse.conf into a data directory from the templates in config/nginx.
# usage: scripts/nginx-config.sh DATA_DIR PORT UPSTREAM [KEEPALIVE on|off] [NGINX_WORKERS]
# UPSTREAM is one FastCGI address (unix:/path or host:port) or several separated by spaces.
# WHEELHOUSE_BASE_URL starting with https:// adds a Strict-Transport-Security header.
set -euo pipefail
umask 077
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(cd "$1" && pwd)
port=$2
upstream=$3
keepalive=${4:-off}
workers=${5:-1}
user_line=""
# nginx's workers must reach the socket (0660 in a 0700 directory of the data directory, itself
# 0700) and Public/: as root, they run as root, like the responder; otherwise as the invoking
# user. No other user can connect. A system nginx is set up as README.md § nginx says.
if [ "$(id -u)" = 0 ]; then user_line="user root;"; fi
servers=""
for address in $upstream; do servers+="    server $address max_fails=0;\n"; done
hsts=""
case "${WHEELHOUSE_BASE_URL:-}" in
  https://*) hsts='    add_header Strict-Transport-Security "max-age=31536000" always;' ;;
esac
mkdir -p "$data/nginx-tmp"
sed -e "s|@UPSTREAM_SERVERS@|${servers%\\n}|" -e "s|@PORT@|$port|g" -e "s|@PUBLIC@|$root/Public|g" \
    -e "s|@KEEPALIVE@|$keepalive|g" -e "s|@HSTS@|$hsts|g" \
    "$root/config/nginx/wheelhouse.conf.template" > "$data/wheelhouse.conf"
sed -e "s|@DATA@|$data|g" -e "s|@USER_LINE@|$user_line|g" -e "s|@NGINX_WORKERS@|$workers|g" \
    "$root/config/nginx/nginx.conf.template" > "$data/nginx.conf"
