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


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _persistent_secret(path: Path, length: int = 32) -> str:
    """Return a secret kept under DATA_DIR, made on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(length)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


@dataclass
class Settings:
    """Every port, folder and URL of one running platform."""

    data_dir: Path
    gateway_port: int
    ports: dict = field(default_factory=dict)
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
    gateway = int(_env("GATEWAY_PORT", "8080"))
    # Every port defaults to an offset of the gateway's, so two platforms can run side by side.
    offsets = {"intake": 1, "tracking": 2, "notification": 3, "feedback": 4, "smtp": 5, "store": 6, "amqp": 7}
    ports = {
        name: int(_env(f"{name.upper()}_PORT", str(gateway + offset))) for name, offset in offsets.items()
    }
    ports["gateway"] = gateway
    settings = Settings(
        data_dir=data_dir,
        gateway_port=gateway,
        ports=ports,
        mongo_url=_env("MONGO_URL"),
        amqp_url=_env("AMQP_URL"),
        smtp_external=_env("SMTP_HOST") is not None,
        admin_username=_env("ADMIN_USERNAME", "admin"),
        instances=int(_env("INSTANCES", "1")),
    )
    if not 1 <= settings.instances <= 9:
        raise SystemExit("INSTANCES must be between 1 and 9")
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
