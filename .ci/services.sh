#!/usr/bin/env bash
# Starts the local services the test suite talks to, when they are not already up.
# The commands are this machine kind's own (see the env notes); each is a no-op when running.
set -uo pipefail

if command -v pg_isready >/dev/null 2>&1; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432 || echo "warning: PostgreSQL is not reachable on 127.0.0.1:5432"
fi

if command -v redis-cli >/dev/null 2>&1; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || echo "warning: Redis is not reachable on 127.0.0.1:6379"
fi
# Debian packages the tests drive: nginx (the cluster tests put it in front of three Salon
# processes) and Chromium (the web app's browser tests, through playwright-core).
install_if_missing() { # <binary> <package> <what needs it>
  if [ ! -x "$1" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing $2"
      DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null || {
        apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null
      } || true
    fi
    [ -x "$1" ] || echo "warning: $2 is missing (apt-get install -y $2); $3 need it"
  fi
}
install_if_missing /usr/sbin/nginx nginx "the cluster tests"
install_if_missing /usr/bin/chromium chromium "the browser tests"
exit 0
