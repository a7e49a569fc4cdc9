"""The supervised process group: one supervisord configuration for the whole platform."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from launcher.settings import ROOT, SERVICES, Settings


def _quote(value: str) -> str:
    # supervisord expands %(name)s in its values: a literal % is written %%.
    return value.replace("%", "%%")


def _program(
    name: str,
    command: list[str],
    settings: Settings,
    *,
    env: dict | None = None,
    user: str | None = None,
    priority: int = 100,
    stopwait: int = 15,
) -> str:
    lines = [
        f"[program:{name}]",
        f"command={_quote(shlex.join(command))}",
        f"directory={_quote(str(ROOT))}",
        f"priority={priority}",
        "autostart=true",
        "autorestart=true",
        "startsecs=1",
        "startretries=100",
        "stopsignal=TERM",
        f"stopwaitsecs={stopwait}",
        "stopasgroup=true",
        "killasgroup=true",
        "redirect_stderr=true",
        f"stdout_logfile={_quote(str(settings.log_dir / f'{name}.log'))}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=3",
    ]
    if user:
        lines.append(f"user={user}")
    if env:
        pairs = ",".join(f'{key}="{_quote(str(value))}"' for key, value in env.items())
        lines.append(f"environment={pairs}")
    return "\n".join(lines) + "\n"


def write_config(
    settings: Settings, *, store: list[str] | None, broker: tuple[list[str], dict, str | None] | None
) -> Path:
    """Write the supervisord configuration of this run and return its path."""
    run, logs = settings.run_dir, settings.log_dir
    run.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    metrics = run / "metrics"
    shutil.rmtree(metrics, ignore_errors=True)
    python = settings.python
    gunicorn = str(Path(python).with_name("gunicorn"))
    sections = [
        "[supervisord]\n"
        "nodaemon=true\n"
        "silent=true\n"
        f"logfile={_quote(str(logs / 'supervisord.log'))}\n"
        f"pidfile={_quote(str(run / 'supervisord.pid'))}\n"
        f"childlogdir={_quote(str(logs))}\n"
        "loglevel=info\n",
        f"[unix_http_server]\nfile={_quote(str(run / 'supervisor.sock'))}\nchmod=0700\n",
        f"[supervisorctl]\nserverurl=unix://{_quote(str(run / 'supervisor.sock'))}\n",
        "[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
    ]
    if store:
        # FerretDB is Go: collecting garbage less often saves a fifth of its CPU for some more memory.
        env = {"GOGC": "400"}
        sections.append(_program("store", store, settings, env=env, priority=10, stopwait=20))
    if broker:
        command, env, user = broker
        sections.append(_program("broker", command, settings, env=env, user=user, priority=10, stopwait=60))
    if not settings.smtp_external:
        sections.append(
            _program(
                "smtp",
                [
                    python,
                    "-m",
                    "launcher.smtp_sink",
                    "--port",
                    str(settings.ports["smtp"]),
                    "--dir",
                    str(settings.mail_dir),
                ],
                settings,
                priority=20,
            )
        )
    for instance in range(settings.instances):
        # The first instance's programs keep their plain names; the others are numbered from 2.
        suffix = f"-{instance + 1}" if instance else ""
        for service in SERVICES:
            service_metrics = metrics / f"{service}{suffix}"
            service_metrics.mkdir(parents=True, exist_ok=True)
            env = {"SERVICE_NAME": service, "PROMETHEUS_MULTIPROC_DIR": str(service_metrics)}
            sections.append(
                _program(
                    f"{service}-web{suffix}",
                    [gunicorn, "-c", "python:common.gunicorn_conf", f"services.{service}.app:create_app()"],
                    settings,
                    env={**env, "PORT": settings.port(service, instance)},
                )
            )
            sections.append(
                _program(
                    f"{service}-worker{suffix}",
                    [python, "-m", f"services.{service}.worker"],
                    settings,
                    # No probe port: the web process's /metrics covers its worker (one metrics directory).
                    env={**env, "WORKER_PORT": ""},
                )
            )
        gateway_metrics = metrics / f"gateway{suffix}"
        gateway_metrics.mkdir(parents=True, exist_ok=True)
        sections.append(
            _program(
                f"gateway{suffix}",
                [gunicorn, "-c", "python:common.gunicorn_conf", "gateway.app:create_app()"],
                settings,
                env={
                    "SERVICE_NAME": "gateway",
                    "PORT": settings.port("gateway", instance),
                    "HOST": settings.gateway_host,
                    "PROMETHEUS_MULTIPROC_DIR": str(gateway_metrics),
                },
                priority=200,
            )
        )
    path = run / "supervisord.conf"
    path.write_text("\n".join(sections))
    return path
