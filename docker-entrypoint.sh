#!/bin/sh
# Migrate (unless MIGRATE=0), seed an empty database (unless SEED=0), then hand the
# process over to gunicorn so that SIGTERM reaches it directly.
set -eu
if [ "${MIGRATE:-1}" != "0" ]; then
    alembic upgrade head
fi
if [ "${SEED:-1}" != "0" ]; then
    python -m service seed --if-empty
fi
exec gunicorn --config gunicorn.conf.py "service:create_app()"
