"""gunicorn settings shared by every service and the gateway (``-c python:common.gunicorn_conf``)."""

from gunicorn import glogging

from common.config import load as _load

# Checked here, as gunicorn reads this file: a wrong setting stops it before any worker starts (a
# worker that exits as it boots would be started again, and again). No module-level name may be
# `config`: gunicorn would take it for its own -c setting.
_settings = _load()
bind = f"{_settings.host}:{_settings.port}"
workers = _settings.web_concurrency
worker_class = _settings.worker_class
threads = _settings.web_threads
timeout = _settings.web_timeout
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


def on_starting(server):
    """Make the metrics directory before any worker counts in it."""
    from common import metrics

    metrics.prepare()


def child_exit(server, worker):
    """Drop the metrics files of a worker that is gone."""
    if _settings.prometheus_multiproc_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class Logger(glogging.Logger):
    """gunicorn's logger without the access log."""

    def access(self, resp, req, environ, request_time):
        """Log nothing: the app has logged the request."""
