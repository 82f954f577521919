#!/bin/sh
# One image, several roles (compose.yaml): web (gunicorn), worker (CKAN's
# jobs worker), migrate (one-shot: database schema, plugin migrations,
# DataStore permissions), harvest (the harvesters every JENA_HARVEST_HOURS),
# or any command (e.g. `ckan search-index rebuild`).
set -eu
INI="${CKAN_INI:-/srv/app/ckan.ini}"

case "${1:-web}" in
web)
    exec gunicorn -c python:ckanext.jena.gunicorn_conf ckanext.jena.wsgi:application ;;
worker)
    # "run now" (ckanext.jena.harvest.queue) first, then the default queue
    exec ckan -c "$INI" jobs worker jena_harvest default ;;
migrate)
    # db init creates the schema on a new database and upgrades an older one.
    ckan -c "$INI" db init
    for plugin in activity jena_quality jena_validation jena_dcat jena_2fa jena_harvest; do
        ckan -c "$INI" db upgrade -p "$plugin"
    done
    # CKAN's own permission script for the DataStore roles, run as the
    # database superuser (its password reaches only this one-shot container).
    ckan -c "$INI" datastore set-permissions \
        | PGPASSWORD="$POSTGRES_PASSWORD" psql -v ON_ERROR_STOP=1 -h db -U postgres -d "$DATASTORE_DB" -q
    echo "migrations done" ;;
harvest)
    # The README's cron line as a loop: run, then sleep; a failed run waits
    # for the next (the runner keeps the last good data and its record).
    while true; do
        jena-harvest run --all --out /var/lib/ckan/harvest || echo "harvest run failed (exit $?)"
        sleep "$(( ${JENA_HARVEST_HOURS:-6} * 3600 ))"
    done ;;
*)
    exec "$@" ;;
esac
