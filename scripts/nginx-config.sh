#!/usr/bin/env bash
# Writes nginx.conf and wheelhouse.conf into a data directory from the templates in config/nginx.
# usage: scripts/nginx-config.sh DATA_DIR PORT UPSTREAM [KEEPALIVE on|off] [NGINX_WORKERS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(cd "$1" && pwd)
port=$2
upstream=$3
keepalive=${4:-off}
workers=${5:-1}
user_line=""
# nginx's workers must reach the socket and Public/: as root, run them as the invoking user.
if [ "$(id -u)" = 0 ]; then user_line="user root;"; fi
mkdir -p "$data/nginx-tmp"
sed -e "s|@UPSTREAM@|$upstream|g" -e "s|@PORT@|$port|g" -e "s|@PUBLIC@|$root/Public|g" \
    -e "s|@KEEPALIVE@|$keepalive|g" "$root/config/nginx/wheelhouse.conf.template" > "$data/wheelhouse.conf"
sed -e "s|@DATA@|$data|g" -e "s|@USER_LINE@|$user_line|g" -e "s|@NGINX_WORKERS@|$workers|g" \
    "$root/config/nginx/nginx.conf.template" > "$data/nginx.conf"
