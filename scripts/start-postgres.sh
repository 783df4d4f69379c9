#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster and makes the role and database the tests use.
# Prints the DATABASE_URL to use.
set -euo pipefail
ROLE=${PGROLE:-jibao}
PASSWORD=${PGPASSWORD_JIBAO:-jibao}
DB=${PGDATABASE_JIBAO:-jibao}

# Only the URL may reach stdout: pg_ctlcluster prints notes there (e.g. "Removed stale pid file."
# after an unclean shutdown) which would end up inside DATABASE_URL. Its output goes to stderr
# command by command: a duplicated descriptor would be inherited by the server and keep the
# caller's $(...) waiting for ever.
pg_ctlcluster 15 main status >/dev/null 2>&1 || pg_ctlcluster 15 main start >&2
for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
pg_isready -q -h 127.0.0.1 || { echo "PostgreSQL 未能启动" >&2; exit 1; }

as_postgres() { su postgres -c "$1"; }
if [[ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$ROLE'\"")" != "1" ]]; then
  as_postgres "psql -q -c \"CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'\"" >&2
fi
if [[ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$DB'\"")" != "1" ]]; then
  as_postgres "psql -q -c \"CREATE DATABASE $DB OWNER $ROLE\"" >&2
fi
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:5432/$DB"
