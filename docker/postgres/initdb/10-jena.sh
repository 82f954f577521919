#!/bin/sh
# First start of the database container only (an empty data volume): the
# roles and the two databases of the portal, as bin/setup and
# bin/setup-datastore make them on one machine. The DataStore's grants are
# CKAN's own script, run by the one-shot `migrate` service.
# Passwords: postgres.env (JENA_DB_PASSWORD, JENA_DS_WRITE_PASSWORD, JENA_DS_READ_PASSWORD).
set -eu
: "${JENA_DB_PASSWORD:?postgres.env must set JENA_DB_PASSWORD}"
: "${JENA_DS_WRITE_PASSWORD:?postgres.env must set JENA_DS_WRITE_PASSWORD}"
: "${JENA_DS_READ_PASSWORD:?postgres.env must set JENA_DS_READ_PASSWORD}"
psql -v ON_ERROR_STOP=1 -U postgres -q \
    -v db="$PORTAL_DB" -v ds="$DATASTORE_DB" \
    -v pw="$JENA_DB_PASSWORD" -v wpw="$JENA_DS_WRITE_PASSWORD" -v rpw="$JENA_DS_READ_PASSWORD" <<'SQL'
CREATE ROLE ckan_jena LOGIN PASSWORD :'pw';
CREATE ROLE ckan_jena_ds_write LOGIN PASSWORD :'wpw';
CREATE ROLE ckan_jena_ds_read LOGIN PASSWORD :'rpw';
-- Whatever the read role is granted, its transactions cannot write.
ALTER ROLE ckan_jena_ds_read SET default_transaction_read_only = on;
CREATE DATABASE :"db" OWNER ckan_jena ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE :"ds" OWNER ckan_jena_ds_write ENCODING 'UTF8' TEMPLATE template0;
\connect :"db"
CREATE SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO ckan_jena;
CREATE EXTENSION postgis SCHEMA extensions;
CREATE EXTENSION unaccent SCHEMA extensions;
ALTER DATABASE :"db" SET search_path = "$user", public, extensions;
\connect :"ds"
-- As bin/setup-datastore: German full text after unaccent, the loader's
-- staging schema out of readers' sight.
CREATE SCHEMA extensions;
CREATE EXTENSION unaccent SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO ckan_jena_ds_write, ckan_jena_ds_read;
CREATE TEXT SEARCH CONFIGURATION public.jena_german (COPY = pg_catalog.german);
ALTER TEXT SEARCH CONFIGURATION public.jena_german
    ALTER MAPPING FOR hword, hword_part, word WITH extensions.unaccent, german_stem;
ALTER DATABASE :"ds" SET default_text_search_config = 'public.jena_german';
CREATE SCHEMA jena_load AUTHORIZATION ckan_jena_ds_write;
REVOKE ALL ON SCHEMA jena_load FROM PUBLIC;
SQL
