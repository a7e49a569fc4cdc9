"""The production path, as the image and docker-compose.yml run it: what stands for containers here.

No container engine runs on this machine. This test does what the image and docker-compose.yml do,
reading both files rather than repeating them:

- a fresh virtualenv gets the Dockerfile's `pip install` steps: the lock, hashes required, then the
  source without its dependencies (no dev extra); the files the Dockerfile copies make its working
  folder, from which every process starts, as in the image;
- every process of docker-compose.yml built from the image starts with its own command and
  environment (the Dockerfile's ENV, then the service's, interpolated as compose does from an
  operator's .env), and its own health check must pass;
- nginx, the public entry point, starts as its service says, with the configuration committed in
  deploy/nginx/ that it mounts; a complaint is filed and /health asked through it, as users do.

What only the containers' network and filesystem give is translated: each container's port becomes
a port of this machine, a service's name 127.0.0.1, a container path (its /tmp, a named volume, a
mounted folder, copied with its *.conf files translated alike) a folder of the test's; the replica
set and the broker cluster become the embedded store and one broker node; nginx is Debian's
package rather than the official image. A runtime import that is not a locked dependency stops a
process here as in the image.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.support import Infrastructure, complaint_body, free_port_block, shared_tmp_dir, wait_for

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "complaints-platform:latest"
ENTRY = "nginx"  # the public entry point's service, of the official nginx image
SERVICES = ("intake", "tracking", "notification", "feedback")
# What an operator's .env gives (docker-compose.yml's header asks for these).
OPERATOR = {
    "SECRET_KEY": secrets.token_hex(32),
    "ADMIN_PASSWORD": f"quiet harbour {secrets.token_hex(4)} lantern",
    "BROKER_PASSWORD": secrets.token_hex(8),
    "BROKER_ERLANG_COOKIE": secrets.token_hex(16),
}
# The store and the broker of docker-compose.yml are clusters of other images: here, one of each.
CLUSTER_URLS = ("MONGO_URL", "AMQP_URL")
# Where a container's program is found here: the venv's python and gunicorn, then the system's.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def interpolate(value: str, env: dict[str, str]) -> str:
    """Return a compose value with ${NAME}, ${NAME:-default}, ${NAME-default} and $$ resolved."""

    def one(match: re.Match) -> str:
        if match[0] == "$$":
            return "$"
        given = env.get(match["name"])
        if match["op"] == ":-":
            return given or match["default"]
        if match["op"] == "-":
            return match["default"] if given is None else given
        return given or ""

    return re.sub(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?-)(?P<default>[^}]*))?\}", one, value)


VENDOR_STAGE = re.compile(r"^/vendor/")


def dockerfile() -> tuple[dict[str, str], list[tuple[list[str], str]], list[list[str]]]:
    """Return the Dockerfile's ENV, its COPY steps (sources, destination) and its `pip install` steps."""
    text = (ROOT / "Dockerfile").read_text()
    instructions = [
        line.strip()
        for line in re.sub(r"\\\n", " ", text).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    # The final stage's: the one before it installs the pages' libraries with `npm ci`, as
    # `make vendor` did here, so its output is taken from the repository's installed copy.
    last = max(n for n, line in enumerate(instructions) if line.startswith("FROM "))
    env, copies, installs = {}, [], []
    for instruction in instructions[last:]:
        keyword, _, rest = instruction.partition(" ")
        if keyword == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(rest))
        elif keyword == "COPY":
            *sources, destination = shlex.split(rest)
            if sources[0] == "--from=vendor":
                sources = [VENDOR_STAGE.sub("gateway/web/vendor/", s) for s in sources[1:]]
            copies.append((sources, destination))
        elif keyword == "RUN":
            for step in rest.split("&&"):
                words = shlex.split(step)
                if words[:2] == ["pip", "install"]:
                    installs.append(words[2:])
    return env, copies, installs


def container_port(spec: dict) -> int:
    """Return the port a service's container listens on: the one its health check asks."""
    check = " ".join(spec["healthcheck"]["test"])
    return int(re.search(r"127\.0\.0\.1'?[:,]\s*(\d+)", check)[1])


class Process:
    """One process of docker-compose.yml, started here as its container would start it."""

    def __init__(self, name: str, spec: dict, production: Production):
        self.name, self.spec, self.production = name, spec, production
        self.folder = production.folder / "processes" / name
        (self.folder / "tmp").mkdir(parents=True)
        self.process: subprocess.Popen | None = None
        self.container_port = container_port(spec)
        self.paths = self._paths()
        self._mount()

    @property
    def port(self) -> int:
        return self.production.ports[self.name]

    def _paths(self) -> dict[str, Path]:
        """Return each container path of this process and the folder that stands for it."""
        found = {"/tmp": self.folder / "tmp"}
        for volume in self.spec.get("volumes", []):
            source, target = volume.split(":")[:2]
            if not source.startswith((".", "/")):  # a named volume, shared by whoever mounts it
                found[target] = self.production.folder / "volumes" / source
                found[target].mkdir(parents=True, exist_ok=True)
            else:  # a folder of the repository, copied (below) as this process sees it
                found[target] = self.folder / "mounts" / target.strip("/")
        return found

    def _mount(self) -> None:
        """Copy each mounted folder of the repository, its configuration files translated."""
        for volume in self.spec.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith((".", "/")):
                here = self.paths[target]
                shutil.copytree(ROOT / source, here)
                for conf in here.rglob("*.conf"):
                    conf.write_text(self.translate(conf.read_text()))

    def translate(self, value: str) -> str:
        """Return a value of the container's world as it reads on this machine."""
        for container_path, here in self.paths.items():
            value = re.sub(rf"(?<![\w/]){re.escape(container_path)}(?=[/;]|$|\s)", str(here), value)
        # A service's name and its container's port (http://intake:8000, nginx's `server gateway:8000`):
        # that process's port here. A port its container does not listen on stays, and fails.
        ports, listening = self.production.ports, self.production.container_ports

        def address(m: re.Match) -> str:
            known = m[1] in ports and int(m[2]) == listening[m[1]]
            return f"127.0.0.1:{ports[m[1]]}" if known else m[0]

        value = re.sub(r"(?<![\w.@-])([a-z][a-z0-9-]*):(\d+)\b", address, value)
        return re.sub(rf"\b{self.container_port}\b", str(self.port), value)

    def environment(self) -> dict[str, str]:
        """Return the image's and the service's environment, translated, over a bare system's."""
        declared = self.spec.get("environment", {})
        assert isinstance(declared, dict), f"{self.name}: environment as a mapping"
        image_env = self.production.image_env if self.spec.get("image") == IMAGE else {}
        env = {**image_env, **{k: interpolate(str(v), OPERATOR) for k, v in declared.items()}}
        env = {key: self.translate(value) for key, value in env.items()}
        services = self.production.ports
        for key, value in env.items():
            if key.endswith("_HOST") and value in services:  # a service's name as a host (SMTP_HOST: smtp)
                env[key] = "127.0.0.1"
        if "SMTP_PORT" in env:
            env["SMTP_PORT"] = str(services["smtp"])
        for key in CLUSTER_URLS:
            if key in env:
                assert re.search(r"(mongo|rabbitmq)1\b", env[key]), f"{self.name} {key}: {env[key]}"
        if "MONGO_URL" in env:
            env["MONGO_URL"] = self.production.infra.mongo_url
        if "AMQP_URL" in env:
            env["AMQP_URL"] = self.production.infra.amqp_url
        return {
            "PATH": f"{self.production.venv}/bin:{SYSTEM_PATH}",
            "HOME": str(self.folder / "tmp"),
            "LANG": "C.UTF-8",
            **env,
        }

    def argv(self, words: list[str]) -> list[str]:
        """Return a command of the container's as this machine runs it (python and gunicorn of the venv)."""
        words = [self.translate(word) for word in words]
        program = shutil.which(words[0], path=f"{self.production.venv}/bin:{SYSTEM_PATH}")
        return [program or words[0], *words[1:]]

    def start(self) -> None:
        log = open(self.folder / "output.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            self.argv(self.spec["command"]),
            env=self.environment(),
            cwd=self.production.app,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def healthy(self) -> bool:
        """Run the service's own health check, as compose runs it in the container."""
        kind, *words = self.spec["healthcheck"]["test"]
        assert kind == "CMD", f"{self.name}: {kind}"
        done = subprocess.run(
            self.argv(words), env=self.environment(), cwd=self.production.app, capture_output=True, timeout=10
        )
        return done.returncode == 0

    def stop(self) -> None:
        """Send the signal compose stops the container with (stop_signal, else SIGTERM)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.Signals[self.spec.get("stop_signal", "SIGTERM")])

    def output(self) -> str:
        return (self.folder / "output.log").read_text(errors="replace")[-3000:]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Production:
    """The image's install and every process of docker-compose.yml built from it, running here."""

    def __init__(self) -> None:
        self.folder = shared_tmp_dir("complaints-production-")
        self.app = self.folder / "app"
        self.venv = self.folder / "venv"
        self.image_env, self.copies, self.installs = dockerfile()
        compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
        self.specs = {
            name: spec for name, spec in compose.items() if spec.get("image") == IMAGE or name == ENTRY
        }
        base = free_port_block(len(self.specs))
        self.ports = {name: base + n for n, name in enumerate(sorted(self.specs))}
        self.container_ports = {name: container_port(spec) for name, spec in self.specs.items()}
        self.infra: Infrastructure | None = None
        self.processes: dict[str, Process] = {}

    def install(self) -> None:
        """Build the image's working folder and virtualenv as the Dockerfile does."""
        self.app.mkdir()
        for sources, destination in self.copies:
            for source in sources:
                target = self.app / destination
                if (ROOT / source).is_dir():
                    # .dockerignore keeps node_modules out of the build's context.
                    ignore = shutil.ignore_patterns(
                        "__pycache__", *([] if "node_modules" in source else ["node_modules"])
                    )
                    shutil.copytree(ROOT / source, target, ignore=ignore, dirs_exist_ok=True)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / source, target)
        subprocess.run(["python3", "-m", "venv", str(self.venv)], check=True)
        for words in self.installs:
            # The image keeps no cache; here pip's cache makes a second run quicker and installs the same.
            words = [w for w in words if w != "--no-cache-dir"]
            done = subprocess.run(
                [str(self.venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *words],
                cwd=self.app,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert done.returncode == 0, f"pip install {' '.join(words)}:\n{done.stdout}{done.stderr}"

    def start(self) -> None:
        self.infra = Infrastructure().start()
        # In the order of depends_on: the SMTP sink, the services and their workers, the gateway, nginx.
        middle = sorted(set(self.specs) - {"smtp", "gateway", ENTRY})
        for group in (["smtp"], middle, ["gateway"], [ENTRY]):
            for name in group:
                self.processes[name] = Process(name, self.specs[name], self)
                self.processes[name].start()
            self.wait_healthy([self.processes[name] for name in group])

    def wait_healthy(self, processes: list[Process], timeout: float = 120) -> None:
        """Wait until each process passes its health check; fail at once when one exits."""
        for process in processes:
            try:
                wait_for(lambda p=process: p.healthy() or p.process.poll() is not None, timeout, 0.5)
            except AssertionError:
                raise AssertionError(
                    f"{process.name} unhealthy after {timeout:.0f} s:\n{process.output()}"
                ) from None
            exited = process.process.poll()
            if exited is not None and not process.healthy():
                raise AssertionError(f"{process.name} exited ({exited}):\n{process.output()}")

    def stop(self) -> dict[str, int | None]:
        """Stop every process as compose does (its stop_signal) and return their exit codes."""
        for process in self.processes.values():
            process.stop()
        codes = {}
        for name, process in self.processes.items():
            if process.process is None:
                continue
            try:
                codes[name] = process.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.process.pid, 9)
                codes[name] = None
        if self.infra:
            self.infra.stop()
        return codes


@pytest.fixture(scope="module")
def production():
    running = Production()
    try:
        running.install()
        running.start()
        yield running
    finally:
        codes = running.stop()
        shutil.rmtree(running.folder, ignore_errors=True)
    unstopped = {name: code for name, code in codes.items() if code is None}
    assert not unstopped, f"still running 20 s after their stop signal: {sorted(unstopped)}"


def test_the_install_has_the_runtime_dependencies_only(production):
    python = str(production.venv / "bin" / "python")
    for tool in ("pytest", "ruff", "uv", "playwright"):
        found = subprocess.run([python, "-c", f"import {tool}"], capture_output=True)
        assert found.returncode != 0, f"{tool} is installed: the image would carry a dev dependency"
    frozen = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True)

    def names(lines):
        return {line.split("==")[0].lower().replace("_", "-") for line in lines if "==" in line}

    locked = names(line for line in (ROOT / "requirements.lock").read_text().splitlines() if line[:1] != " ")
    assert names(frozen.stdout.splitlines()) - {"complaints-platform"} <= locked


def test_every_process_of_the_compose_file_passes_its_own_health_check(production):
    # Every process docker-compose.yml runs from the image (each web process, each worker, the SMTP
    # sink) and nginx in front of them.
    app = {"smtp", "gateway", *SERVICES, *(f"{s}-worker" for s in SERVICES)}
    assert set(production.processes) == app | {ENTRY}
    for process in production.processes.values():
        assert process.process.poll() is None, f"{process.name} exited:\n{process.output()}"
        assert process.healthy(), f"{process.name}:\n{process.output()}"
    health = requests.get(production.processes[ENTRY].url("/health"), timeout=10)
    assert health.status_code == 200, health.text
    for service in SERVICES:
        worker = production.processes[f"{service}-worker"]
        ready = requests.get(worker.url("/health/ready"), timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"store": "ok", "broker": "ok"}


def test_the_entry_point_answers_from_the_committed_configuration(production):
    entry = production.processes[ENTRY]
    # A path of the table goes to its service; a path nobody serves is nginx's own answer, read
    # from the error files mounted with the configuration.
    catalog = requests.get(entry.url("/api/v1/catalog"), timeout=10)
    assert catalog.status_code == 200, catalog.text
    assert catalog.headers["X-Request-ID"]
    missing = requests.get(entry.url("/api/v1/nothing-here"), timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    page = requests.get(entry.url("/"), timeout=10)
    assert page.status_code == 200 and "<form" in page.text
    # The maps' script, as the image installs it (its npm stage), served by the gateway itself
    for path in re.findall(r'<script src="([^"]+)"', page.text):
        assert requests.get(entry.url(path), timeout=10).status_code == 200, path
    assert "/static/leaflet/leaflet.js" in page.text


def test_a_complaint_goes_through_to_its_email(production):
    entry = production.processes[ENTRY]
    answer = requests.post(entry.url("/api/v1/complaints"), json=complaint_body(), timeout=15)
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    mail = production.folder / "volumes" / "mail"
    parser = BytesParser(policy=policy.default)

    def delivered():
        messages = [parser.parsebytes(path.read_bytes()) for path in mail.glob("*.eml")]
        return [m for m in messages if m["X-Complaint-Number"] == number]

    (message,) = wait_for(delivered, 60, 0.3, f"the email of {number}")
    assert message["To"] == "amina@example.ma"
    assert number in message.get_body(("plain",)).get_content()


def _samples(url: str) -> list:
    text = requests.get(url, timeout=10).text
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def test_every_worker_shows_its_counters_on_its_own_port(production):
    # The complaint of the previous test was handled by the three services that take complaint.submitted.
    handled = {"tracking", "notification", "feedback"}
    for service in SERVICES:
        worker = production.processes[f"{service}-worker"]

        def counters(service=service, worker=worker):
            samples = [s for s in _samples(worker.url("/metrics")) if s.labels.get("service") == service]
            handled_submissions = sum(
                s.value
                for s in samples
                if s.name == "events_consumed_total"
                and (s.labels["type"], s.labels["outcome"]) == ("complaint.submitted", "handled")
            )
            if service in handled and not handled_submissions:
                return None
            return {s.name for s in samples}

        names = wait_for(counters, 30, 0.5, f"{service}'s worker counters")
        assert {"events_consumed_total", "event_handling_seconds_count"} <= names, (service, names)
        if service != "feedback":  # feedback's worker has no outbox to relay
            assert "events_relayed_total" in names, (service, names)
    # The web processes count their requests on their own ports, apart from their workers, their
    # gunicorn workers adding up in the image's PROMETHEUS_MULTIPROC_DIR (under the container's /tmp).
    web = production.processes["intake"]
    assert production.image_env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert list((web.folder / "tmp" / "metrics").glob("counter_*.db"))
    intake = _samples(web.url("/metrics"))
    assert any(s.name == "http_requests_total" and s.labels["method"] == "POST" for s in intake)
    assert not any(s.name == "events_consumed_total" for s in intake)
