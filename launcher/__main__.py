"""`make run`: start the whole platform on embedded defaults, in the foreground."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from common.config import problems
from launcher import infra, ports, supervisor
from launcher.settings import Settings, load, record_ports


def say(message: str) -> None:
    """Tell the person who ran `make run` what is happening."""
    print(f"[make run] {message}", flush=True)


def environment(settings: Settings) -> dict:
    """Return the environment every process of the platform inherits."""
    env = dict(os.environ)
    env.update(
        {
            "DATA_DIR": str(settings.data_dir),
            "MONGO_URL": settings.store_url,
            "AMQP_URL": settings.broker_url,
            "GATEWAY_PORT": str(settings.gateway_port),
            "ADMIN_USERNAME": settings.admin_username,
            "ADMIN_PASSWORD": settings.admin_password,
            "SECRET_KEY": settings.secret_key,
            "OPEN311_API_KEY": settings.open311_api_key,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.setdefault("PUBLIC_URL", f"http://localhost:{settings.gateway_port}")
    if not settings.smtp_external:
        env["SMTP_HOST"], env["SMTP_PORT"] = "127.0.0.1", str(settings.ports["smtp"])
    for service in ("intake", "tracking", "notification", "feedback"):
        env[f"{service.upper()}_URL"] = settings.urls(service)
    return env


def wait_ready(settings: Settings, process: subprocess.Popen, timeout: float) -> bool:
    """Wait until the gateway reports every service ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if requests.get(f"{settings.url('gateway')}/health", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def already_running(settings: Settings) -> int | None:
    """Return the pid of a platform already running on this DATA_DIR, if any."""
    pid_file = settings.run_dir / "supervisord.pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def main() -> int:
    """Prepare, start and supervise every process until Ctrl-C or SIGTERM."""
    started = time.monotonic()
    settings = load()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    running = already_running(settings)
    if running:
        say(
            f"another platform (supervisord pid {running}) is running on {settings.data_dir}; "
            "stop it first, or choose another DATA_DIR"
        )
        return 1
    # Said now, before anything starts: a server that cannot listen would fail in its log, again and again.
    blocked = ports.problems(settings)
    if blocked:
        for line in ports.explain(settings, blocked):
            say(line)
        say("nothing was started")
        return 1
    # Every process checks its settings as it starts; a wrong one is said here, before anything starts.
    wrong = problems(environment(settings))
    if wrong:
        for line in wrong.splitlines():
            say(line.strip())
        say("nothing was started")
        return 1
    settings.mail_dir.mkdir(parents=True, exist_ok=True)
    try:
        store = None if settings.mongo_url else infra.store_command(settings, say)
        infra.ensure_nginx(say)
        broker = None
        if not settings.amqp_url:
            infra.ensure_rabbitmq(say)
            broker = infra.broker_program(settings)
        config = supervisor.write_config(settings, store=store, broker=broker)
    except infra.SetupError as exc:
        say(f"cannot start: {exc}")
        return 2
    record_ports(settings)
    say(f"starting the platform (data in {settings.data_dir}, logs in {settings.log_dir})")
    process = subprocess.Popen(
        [str(os.path.join(os.path.dirname(sys.executable), "supervisord")), "-c", str(config)],
        env=environment(settings),
        start_new_session=True,
    )

    def stop(signum, _frame):
        if process.poll() is None and not stopping:
            stopping.append(signum)
            say("stopping every process...")
            process.send_signal(signal.SIGTERM)

    stopping: list[int] = []
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if wait_ready(settings, process, float(os.environ.get("RUN_READY_TIMEOUT", "180"))):
        say(f"ready in {time.monotonic() - started:.1f} s")
        say(f"gateway:  {settings.url('gateway')}  (nginx; health: {settings.url('gateway')}/health)")
        for instance in range(1, settings.instances):
            say(f"          {settings.url('gateway', instance)}  (instance {instance + 1})")
        say(f"admin:    {settings.admin_username} / {settings.admin_password}")
        discovery = f"{settings.url('gateway')}/open311/v2/discovery.json"
        say(f"open311:  {discovery}  (api_key {settings.open311_api_key})")
        if not settings.smtp_external:
            say(f"mail:     every email is filed under {settings.mail_dir}")
        say(f"control:  .venv/bin/supervisorctl -c {config} status")
        say("press Ctrl-C to stop")
    elif process.poll() is None:
        say(
            f"not every service is ready yet; see {settings.url('gateway')}/health "
            f"and the logs in {settings.log_dir}"
        )
    code = process.wait()
    if code:
        say(f"the process group exited with status {code}; see {settings.log_dir / 'supervisord.log'}")
    say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
