"""gunicorn settings, all from environment variables (see the README table)."""

import ctypes
import os
import signal
import subprocess
import sys

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("TIMEOUT", "30"))
# Threads read whole requests before serving them and give up on clients that stop
# reading (service/gunicorn_worker.py, README "Slow clients"); WORKER_CLASS=sync is the
# former one-request-per-process design, kept for comparison (bench/run.py --serving).
_WORKERS = {
    "paced": "service.gunicorn_worker.PacedThreadWorker",
    "sync": "service.gunicorn_worker.DrainingSyncWorker",
}
worker_class = _WORKERS[os.environ.get("WORKER_CLASS", "paced")]
# gunicorn swaps any *SyncWorker for its stock gthread worker when threads > 1.
threads = int(os.environ.get("THREADS", "32")) if worker_class.endswith("PacedThreadWorker") else 1

# glibc gives threads that allocate at the same time malloc arenas of their own (up to 8
# per core) and keeps their freed memory: with THREADS threads a worker's peak RSS grew by
# tens of MB. Set here, in the master, so every worker forked from it inherits the limit,
# however gunicorn is started; an explicit MALLOC_ARENA_MAX (glibc reads it itself) wins.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # from glibc's malloc.h


def _limit_malloc_arenas() -> None:
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, MALLOC_ARENAS)  # the C library the process runs on
    except (OSError, AttributeError):
        pass  # not glibc (musl, macOS): nothing to limit


_limit_malloc_arenas()

# gunicorn's own error answers are problem+json and its error log names no request text.
logger_class = "service.gunicorn_worker.RedactingLogger"
# On SIGTERM, workers finish the requests they hold and the ones already queued,
# within this many seconds.
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# The longest request line gunicorn allows. The contract's length limits keep every
# valid URL well below it; gunicorn answers longer ones with its own 414.
limit_request_line = 8190
# Header lines up to 16 KiB reach the app, which refuses those over 8 KiB with a
# problem+json 431 (service/input_guards.py); gunicorn refuses longer ones itself.
limit_request_field_size = 16384
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Request lines and timings only: headers (and so bearer tokens) never reach the log.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Hide the server version from clients.
proc_name = "recognition-status"

# --- the webhook deliverer beside gunicorn (make run) ---------------------------------------
# With RUN_DELIVERER=1 (make run sets it) the master starts `python -m service deliver` once
# it is ready and stops it (SIGTERM, then waits) as it exits: one command serves the API
# and sends the webhooks. In a container the deliverer is a service of its own
# (docker-compose.yml, command `deliver`), so this stays off there.
_deliverer = None


def when_ready(server):
    global _deliverer
    if os.environ.get("RUN_DELIVERER", "").strip().lower() in {"1", "true", "yes", "on"}:
        _deliverer = subprocess.Popen([sys.executable, "-m", "service", "deliver"])
        server.log.info("started the webhook deliverer (pid %s)", _deliverer.pid)


def on_exit(server):
    if _deliverer is not None and _deliverer.poll() is None:
        _deliverer.send_signal(signal.SIGTERM)
        try:
            _deliverer.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            _deliverer.kill()
            _deliverer.wait()
        server.log.info("stopped the webhook deliverer")
