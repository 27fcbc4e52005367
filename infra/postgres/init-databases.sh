#!/usr/bin/env bash
# One database and one login role per service: each service owns its slice of the schema and
# cannot connect to another service's database.
#
# Run by the postgres image on first start (mounted into /docker-entrypoint-initdb.d/), or by
# hand against any server (psql's usual PGHOST/PGPORT/PGUSER variables apply). For every name in
# SOUNDSTREAM_DATABASES (default: catalog listening recommender analytics gateway) it creates the role
# <name> with the password in <NAME>_DB_PASSWORD, and the database <name> owned by it. A role or
# database that already exists is left as it is, so running it twice is harmless.
set -euo pipefail

databases="${SOUNDSTREAM_DATABASES:-catalog listening recommender analytics gateway}"

for name in ${databases}; do
  if [[ ! "${name}" =~ ^[a-z][a-z0-9_]*$ ]]; then
    echo "init-databases: invalid database name '${name}'" >&2
    exit 1
  fi
  password_var="$(echo "${name}" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="${!password_var:-}"
  if [[ -z "${password}" ]]; then
    echo "init-databases: ${password_var} is not set" >&2
    exit 1
  fi
  # psql variables (:"name" quotes an identifier, :'password' a literal): no SQL injection.
  psql -v ON_ERROR_STOP=1 -v name="${name}" -v password="${password}" \
    --username "${POSTGRES_USER:-${PGUSER:-postgres}}" --dbname "${POSTGRES_DB:-postgres}" <<'SQL'
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') AS create_role \gset
\if :create_role
  CREATE ROLE :"name" LOGIN PASSWORD :'password';
\endif
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') AS create_database \gset
\if :create_database
  CREATE DATABASE :"name" OWNER :"name";
\endif
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT ALL ON DATABASE :"name" TO :"name";
SQL
  echo "init-databases: database ${name} owned by role ${name}"
done
