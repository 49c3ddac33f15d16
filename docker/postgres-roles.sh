#!/bin/sh
# Runs once, when the PostgreSQL container first creates its data directory: creates the service's
# two roles with passwords. The migrations create them only when missing (without a password, which
# works on a local socket but not over the compose network), and keep these.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$IDS_APP_PASSWORD" -v platform_password="$IDS_PLATFORM_PASSWORD" <<'SQL'
create role ids_app login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password :'app_password';
create role ids_platform login nosuperuser nocreatedb nocreaterole noreplication bypassrls password :'platform_password';
SQL
