#!/bin/sh
# The image's commands:
#   serve (the default)  migrate (unless MIGRATE=0), seed (unless SEED=0: adds the missing
#                        seed records and corrects those no editor has changed), then hand
#                        the process over to gunicorn so that SIGTERM reaches it directly;
#   deliver [--once]     the webhook deliverer (python -m service deliver), SIGTERM to stop;
#                        it neither migrates nor seeds: the serve container does that;
#   anything else        run as given (a shell, `python -m service tokens ...`).
set -eu
command="${1:-serve}"
case "$command" in
    serve)
        if [ "${MIGRATE:-1}" != "0" ]; then
            alembic upgrade head
        fi
        if [ "${SEED:-1}" != "0" ]; then
            python -m service seed
        fi
        exec gunicorn --config gunicorn.conf.py "service:create_app()"
        ;;
    deliver)
        shift
        exec python -m service deliver "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
