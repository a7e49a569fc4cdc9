"""gunicorn settings shared by every service and the gateway (``-c python:common.gunicorn_conf``)."""

import os

from gunicorn import glogging

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = None
# gunicorn's control socket (for gunicornc, which nothing here uses) would go in the user's home:
# shared by every gunicorn of `make run`, and not writable in a container's read-only filesystem.
control_socket_disable = True
# Every service logs each request itself (common/web.py); gunicorn's access log stays off, and its
# logger does not even format the line it would drop (a twentieth of a small request's time).
logger_class = "common.gunicorn_conf.Logger"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "common.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def child_exit(server, worker):
    """Drop the metrics files of a worker that is gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class Logger(glogging.Logger):
    """gunicorn's logger without the access log."""

    def access(self, resp, req, environ, request_time):
        """Log nothing: the app has logged the request."""
