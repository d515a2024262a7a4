#!/bin/sh
# A sendmail-compatible command for trying the console locally (`make run` uses it unless
# WHEELHOUSE_SENDMAIL is set): each message read from stdin is written to $WHEELHOUSE_DATA_DIR/mail/
# as one .eml file, instead of leaving the machine. Arguments such as -t -i are accepted and ignored.
set -eu
umask 077
dir=${WHEELHOUSE_DATA_DIR:-./data}/mail
mkdir -p "$dir"
file="$dir/$(date -u +%Y%m%dT%H%M%SZ)-$$.eml"
cat > "$file.tmp"
mv "$file.tmp" "$file"
