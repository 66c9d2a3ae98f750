#!/bin/sh
# Starts the app server the way production runs it: granian, WSGI, one worker per core.
# Used by the systemd unit (deploy/buy_from_me.service) and by `make serve` / `make bench`.
#
#   HOST, PORT        where to listen (127.0.0.1:8000; a private address on app machines)
#   WORKERS           worker processes (default: CPU count)
#   BLOCKING_THREADS  threads per worker running Django (default 2; see docs/deploy.md)
#   BACKLOG           pending connections per listening socket (default 2048)
#   VENV              the virtualenv (default: .venv next to this directory)
#   GRANIAN_APP       the WSGI callable (default config.wsgi:application)
#   PROMETHEUS_MULTIPROC_DIR  where every worker writes its metrics, emptied at each start so
#                     /metrics sums all workers (default var/prometheus; docs/monitoring.md)
# Everything else (DJANGO_SETTINGS_MODULE, DATABASE_URL, REDIS_URL, SECRET_KEY, ...) is read by
# Django from the environment; see deploy/buy_from_me.env.example.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
VENV=${VENV:-$here/.venv}
WORKERS=${WORKERS:-$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$here/var/prometheus}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
export PROMETHEUS_MULTIPROC_DIR
exec "$VENV/bin/granian" \
    --interface wsgi \
    --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" \
    --workers "$WORKERS" \
    --blocking-threads "${BLOCKING_THREADS:-2}" \
    --backlog "${BACKLOG:-2048}" \
    --http 1 --no-ws \
    --respawn-failed-workers \
    --log-level "${GRANIAN_LOG_LEVEL:-warning}" \
    "${GRANIAN_APP:-config.wsgi:application}"
