"""gunicorn settings, all from environment variables (see the README table)."""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("TIMEOUT", "30"))
# On SIGTERM, workers get this long to finish the requests they hold.
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Request lines and timings only: headers (and so bearer tokens) never reach the log.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Hide the server version from clients.
proc_name = "recognition-status"
