#!/usr/bin/env bash
# Installs the Debian packages a target needs, only those missing. usage: install-deps.sh run|test|bench
set -euo pipefail
packages="nginx libfcgi-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev libgd-dev libqrencode-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core pkg-config"
case "${1:-run}" in
  test) packages="$packages chromium chromium-driver python3-venv fonts-dejavu-core msmtp python3-aiosmtpd poppler-utils dnsmasq-base" ;;
  bench) packages="$packages wrk valgrind gcc sqlite3" ;;
esac
command -v java >/dev/null 2>&1 || { [ "${1:-run}" = test ] && packages="$packages default-jre-headless"; }
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages:$missing. Install them as root: apt-get install$missing" >&2
  exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $missing >/dev/null
