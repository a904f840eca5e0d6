#!/bin/sh
# Migrate (unless MIGRATE=0), seed (unless SEED=0: adds the missing seed records and
# corrects those no editor has changed), then hand the process over to gunicorn so
# that SIGTERM reaches it directly.
set -eu
if [ "${MIGRATE:-1}" != "0" ]; then
    alembic upgrade head
fi
if [ "${SEED:-1}" != "0" ]; then
    python -m service seed
fi
exec gunicorn --config gunicorn.conf.py "service:create_app()"
