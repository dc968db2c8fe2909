#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to the version that this
# admin-tools image ships. Safe to run on every `docker compose up`: `create` accepts an existing
# database, `setup-schema -v 0.0` leaves a database that is past 0.0 alone, and `update-schema`
# applies only the versions not yet applied. Upgrading Temporal = new admin-tools + server tags,
# then `docker compose up`: this job migrates before the new server starts.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
port="${DB_PORT:-5432}"
schemas=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" "$@"
}

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  database="${pair%%:*}"
  schema="${pair#*:}"
  echo "temporal-schema: database ${database} (${schema} schema)"
  sql_tool --db "$database" create
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "${schemas}/${schema}/versioned"
done
echo "temporal-schema: done"
