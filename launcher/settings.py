"""What `make run` starts, where, and on which ports: read from the environment."""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("intake", "tracking", "notification", "feedback")
INSTANCE_PORT_STEP = 10
# Every port `make run` listens on: its offset from GATEWAY_PORT and what listens there. The n-th
# instance's web ports (the entry point, the gateway app and the services) are INSTANCE_PORT_STEP
# × (n − 1) above the first's: offsets 0–4 and 9, 10–14 and 19, …, 80–84 and 89 with INSTANCES=9.
# The others take 5–8, which no instance uses, so a platform's ports all lie below GATEWAY_PORT +
# 10 × INSTANCES, and two platforms whose GATEWAY_PORTs are that far apart never share one. Each
# is moved alone by <NAME>_PORT.
PORTS = {
    "gateway": (0, "the entry point (nginx)"),
    "intake": (1, "the intake service"),
    "tracking": (2, "the tracking service"),
    "notification": (3, "the notification service"),
    "feedback": (4, "the feedback service"),
    "smtp": (5, "the SMTP sink"),
    "store": (6, "the document store"),
    "amqp": (7, "the broker"),
    "amqp_dist": (8, "the broker's Erlang distribution"),
    "pages": (9, "the gateway app (the pages and /health, behind nginx)"),
}
WEB = ("gateway", "pages", *SERVICES)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _whole(name: str, default: int, low: int, high: int) -> int:
    """Return the variable as a whole number from low to high, or stop `make run` naming it."""
    value = _env(name)
    if value is None:
        return default
    if not (value.strip().isdigit() and low <= int(value) <= high):
        raise SystemExit(f"{name}={value!r}: expected a whole number from {low} to {high}")
    return int(value)


def _persistent_secret(path: Path, length: int = 32) -> str:
    """Return a secret kept under DATA_DIR, made on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(length)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def variable(name: str) -> str:
    """Return the environment variable that sets a port: GATEWAY_PORT, AMQP_DIST_PORT..."""
    return f"{name.upper()}_PORT"


def port_map(gateway: int) -> dict[str, int]:
    """Return every port of the platform whose gateway listens on this one, <NAME>_PORT taken first."""
    ports = {name: _whole(variable(name), gateway + offset, 1, 65535) for name, (offset, _) in PORTS.items()}
    return {**ports, "gateway": gateway}


@dataclass(frozen=True)
class Listener:
    """A port `make run` will listen on, where, what for, and the variable that moves it."""

    port: int
    host: str
    what: str
    variable: str


@dataclass
class Settings:
    """Every port, folder and URL of one running platform."""

    data_dir: Path
    gateway_port: int
    ports: dict = field(default_factory=dict)
    gateway_host: str = "127.0.0.1"
    mongo_url: str | None = None
    amqp_url: str | None = None
    smtp_external: bool = False
    admin_username: str = "admin"
    instances: int = 1
    admin_password: str = ""
    secret_key: str = ""
    open311_api_key: str = ""

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def python(self) -> str:
        return sys.executable

    def port(self, name: str, instance: int = 0) -> int:
        """Return the port of a web process: the n-th instance's is 10 × n above the first's."""
        return self.ports[name] + INSTANCE_PORT_STEP * instance

    def url(self, name: str, instance: int = 0) -> str:
        return f"http://127.0.0.1:{self.port(name, instance)}"

    def urls(self, name: str) -> str:
        """Return the URLs of every instance of a service, separated by commas (common/upstreams.py)."""
        return ",".join(self.url(name, instance) for instance in range(self.instances))

    def listeners(self) -> list[Listener]:
        """Return every port this run listens on itself: every instance's web ports, the embedded servers'."""
        found = []
        for instance in range(self.instances):
            for name in WEB:
                what = PORTS[name][1] + (f" of instance {instance + 1}" if instance else "")
                host = self.gateway_host if name == "gateway" else "127.0.0.1"
                found.append(Listener(self.port(name, instance), host, what, variable(name)))
        embedded = {
            "smtp": not self.smtp_external,
            "store": not self.mongo_url,
            "amqp": not self.amqp_url,
            "amqp_dist": not self.amqp_url,
        }
        for name, ours in embedded.items():
            if ours:
                found.append(Listener(self.ports[name], "127.0.0.1", PORTS[name][1], variable(name)))
        return found

    @property
    def store_url(self) -> str:
        """Return the document store's URL: MONGO_URL, else the embedded store's."""
        return self.mongo_url or f"mongodb://127.0.0.1:{self.ports['store']}/"

    @property
    def broker_url(self) -> str:
        """Return the broker's URL: AMQP_URL, else the embedded node's."""
        return self.amqp_url or f"amqp://guest:guest@127.0.0.1:{self.ports['amqp']}/%2F"


def load() -> Settings:
    """Return the settings of this run: API.md's variables, then derived defaults."""
    data_dir = Path(_env("DATA_DIR", str(ROOT / "var"))).resolve()
    gateway = _whole("GATEWAY_PORT", 8080, 1, 65535)
    settings = Settings(
        data_dir=data_dir,
        gateway_port=gateway,
        ports=port_map(gateway),
        gateway_host=_env("GATEWAY_HOST", "127.0.0.1"),
        mongo_url=_env("MONGO_URL"),
        amqp_url=_env("AMQP_URL"),
        smtp_external=_env("SMTP_HOST") is not None,
        admin_username=_env("ADMIN_USERNAME", "admin"),
        instances=_whole("INSTANCES", 1, 1, 9),
    )
    settings.admin_password = _env("ADMIN_PASSWORD") or _persistent_secret(
        data_dir / "secrets" / "admin-password", 12
    )
    settings.secret_key = _env("SECRET_KEY") or _persistent_secret(data_dir / "secrets" / "secret-key")
    settings.open311_api_key = _env("OPEN311_API_KEY") or "o311_" + _persistent_secret(
        data_dir / "secrets" / "open311-api-key"
    )
    return settings


def load_running() -> Settings:
    """Return the settings of the platform running on DATA_DIR: its ports as `make run` chose them.

    A maintenance command (`make replay-dead`, `make rebuild-stats`) then needs only DATA_DIR,
    whatever GATEWAY_PORT the platform was started with.
    """
    settings = load()
    recorded = settings.run_dir / "ports.json"
    if recorded.exists():
        ports = json.loads(recorded.read_text())
        settings.gateway_port = ports["gateway"]
        settings.ports = ports
    return settings


def record_ports(settings: Settings) -> None:
    """Note the ports of this run under DATA_DIR, for the maintenance commands."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    (settings.run_dir / "ports.json").write_text(json.dumps(settings.ports))
