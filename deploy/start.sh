#!/bin/sh
# Container start: DATABASE_URL is required; wait for the database and migrate with dbmate (the same
# CLI `npm run migrate` wraps), unless MIGRATE=false because the deploy runs the migration as its
# own step (the Kubernetes Job, the compose `migrate` service); then exec the server.
#   start.sh            → migrate (unless MIGRATE=false) and serve
#   start.sh migrate    → only migrate, then exit (what the one-shot job runs)
set -eu
if [ -z "${DATABASE_URL:-}" ]; then
  echo "simple bank cannot start: DATABASE_URL is required in the container (postgres://user:pass@host:5432/db)." >&2
  exit 78
fi
app=$(cd "$(dirname "$0")/.." && pwd)
dbmate_bin=$(cd "$app" && node -e "import('dbmate').then(m => console.log(m.resolveBinary()))")
# Migrations need a session (dbmate holds a session lock): DATABASE_SESSION_URL when DATABASE_URL is a
# transaction-mode pooler.
migrate() {
  DATABASE_URL="${DATABASE_SESSION_URL:-$DATABASE_URL}" "$dbmate_bin" --wait --wait-timeout 60s --migrations-dir "$app/migrations" --no-dump-schema up
}
if [ "${1:-}" = "migrate" ]; then
  migrate
  exit 0
fi
if [ "${MIGRATE:-true}" != "false" ]; then
  migrate
fi
exec node "$app/dist/src/server.js"
