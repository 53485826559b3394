#!/usr/bin/env bash
# The system packages the tests and checks need, installed when missing (Debian; .ci/run runs as root):
# PgBouncer (tests/cluster/ puts it in front of PostgreSQL) and Prometheus with promtool (the alert
# rules' checks and unit tests; tests/process/metrics.test.ts scrapes the service with a real one). The PostgreSQL 15 server binaries
# (/usr/lib/postgresql/15/bin) are on every machine of this kind; they are checked, and installed
# with postgresql-15 when absent. Chromium (Debian's) is the headless browser tests/process/swagger-ui.test.ts
# drives through Swagger UI with puppeteer-core (which downloads no browser of its own).
set -euo pipefail
want=()
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || want+=(pgbouncer)
command -v promtool >/dev/null 2>&1 && [ -x /usr/bin/prometheus ] || want+=(prometheus)
[ -x /usr/lib/postgresql/15/bin/pg_basebackup ] || want+=(postgresql-15)
command -v chromium >/dev/null 2>&1 || want+=(chromium)
if [ ${#want[@]} -eq 0 ]; then
  echo "[system-deps] present: pgbouncer $(/usr/sbin/pgbouncer --version 2>/dev/null | head -1 | awk '{print $2}'), prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}'), PostgreSQL 15 server binaries, $(chromium --version 2>/dev/null | head -1 | awk '{print $1, $2}')"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "[system-deps] missing: ${want[*]}; install them as root: apt-get install -y ${want[*]}" >&2
  exit 1
fi
echo "[system-deps] installing: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}"
# Debian starts packaged servers where it can; the tests start their own.
service pgbouncer stop >/dev/null 2>&1 || true
service prometheus stop >/dev/null 2>&1 || true
service prometheus-node-exporter stop >/dev/null 2>&1 || true
echo "[system-deps] installed: ${want[*]}"
