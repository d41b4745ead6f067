#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages when it is missing (run as root):
# Dovecot (IMAP, POP3) and openssl for the mail servers, Chromium for the browser tests.
# PostgreSQL and MariaDB are started when they are installed but not running.
set -euo pipefail

need=()
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd dovecot-pop3d)
command -v openssl >/dev/null || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts a system-wide Dovecot on 143/110 after install; the tests run their own.
if pgrep -x dovecot >/dev/null && [ -f /run/dovecot/master.pid ]; then
  kill "$(cat /run/dovecot/master.pid)" 2>/dev/null || true
fi

if command -v pg_ctlcluster >/dev/null && ! pg_isready -h 127.0.0.1 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
if [ -x /usr/sbin/mariadbd ] && ! mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  for _ in $(seq 1 30); do mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 && break; sleep 1; done
fi
