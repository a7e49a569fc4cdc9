"""The supervised process group: one supervisord configuration for the whole platform."""

from __future__ import annotations

import os
import pwd
import resource
import shlex
import shutil
import subprocess
from pathlib import Path

from launcher.infra import NGINX, SetupError
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
    stopsignal: str = "TERM",
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
        f"stopsignal={stopsignal}",
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
                    "PORT": settings.port("pages", instance),
                    "HOST": "127.0.0.1",
                    "PROMETHEUS_MULTIPROC_DIR": str(gateway_metrics),
                },
                priority=200,
            )
        )
        # QUIT: nginx stops taking connections and finishes the requests it holds.
        command = entry_point(settings, instance)
        sections.append(_program(f"nginx{suffix}", command, settings, priority=210, stopsignal="QUIT"))
    path = run / "supervisord.conf"
    path.write_text("\n".join(sections))
    return path


def entry_point(settings: Settings, instance: int) -> list[str]:
    """Write the nginx configuration of one instance's entry point; return the command that starts it.

    It listens on that instance's GATEWAY_PORT and sends to every instance of each service and of
    the gateway app, so that any entry point reaches whichever instance is up.
    """
    from gateway import nginx

    home = settings.run_dir / f"nginx-{instance + 1}"
    (home / "temp").mkdir(parents=True, exist_ok=True)
    ports = {"intake": "intake", "tracking": "tracking", "feedback": "feedback", "gateway": "pages"}
    upstreams = {
        upstream: [f"127.0.0.1:{settings.port(port, n)}" for n in range(settings.instances)]
        for upstream, port in ports.items()
    }
    host, port = settings.gateway_host, settings.port("gateway", instance)
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    entry = nginx.Entry(
        listen=listen,
        upstreams=upstreams,
        home=home,
        temp=home / "temp",
        pid=home / "nginx.pid",
        access_log=str(settings.log_dir / f"nginx{'-' + str(instance + 1) if instance else ''}-access.log"),
        workers="2",
        # Each client connection takes a second one to a service: half the process's descriptors.
        connections=max(256, min(4096, soft // 2 - 32)),
        # As root, its workers run as the owner of DATA_DIR, who owns every file they read and write.
        user=pwd.getpwuid(settings.data_dir.stat().st_uid).pw_name if os.geteuid() == 0 else None,
    )
    conf = nginx.write(entry, home)
    command = [str(NGINX), "-e", "stderr", "-p", str(home), "-c", str(conf)]
    # Checked now: a configuration nginx refuses is said once, before anything starts.
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
    if checked.returncode:
        raise SetupError(f"nginx refuses {conf}: {checked.stderr.strip()}")
    return command
