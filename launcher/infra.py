"""The embedded infrastructure: FerretDB (or mongod), a private RabbitMQ node, the SMTP sink."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from launcher.settings import ROOT, Settings

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
# Changes to FerretDB 1.24's source: launcher/ferretdb/*.patch, unified diffs applied in the order of
# their names, each saying why it is needed; and the files the last one hooks in, with where they go.
# Nothing else changes.
FERRETDB_DIR = Path(__file__).with_name("ferretdb")
FERRETDB_PATCHES = sorted(FERRETDB_DIR.glob("*.patch"))
FERRETDB_FILES = {
    "pushdown.go": "internal/backends/sqlite/pushdown.go",
    "scalar.go": "internal/backends/sqlite/metadata/scalar.go",
}
# The binary is named after its patches and added files: a change to them builds it again.
FERRETDB_BUILD = "ferretdb-{}-{}".format(
    FERRETDB_VERSION,
    hashlib.sha256(
        b"".join(
            path.name.encode() + b"\0" + path.read_bytes()
            for path in [*FERRETDB_PATCHES, *(FERRETDB_DIR / name for name in FERRETDB_FILES)]
        )
    ).hexdigest()[:8],
)
RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
NGINX = Path("/usr/sbin/nginx")
TOOLS = ROOT / ".tools" / "bin"


class SetupError(RuntimeError):
    """Something the platform needs is missing and cannot be installed here."""


def _go() -> str:
    for candidate in (shutil.which("go"), "/usr/local/go/bin/go"):
        if candidate and Path(candidate).exists():
            return candidate
    raise SetupError(
        "FerretDB is built with Go, which is not installed: install Go 1.21 or later, "
        "or set MONGO_URL to a MongoDB server."
    )


def ensure_ferretdb(say) -> Path:
    """Return the FerretDB binary, building it once from the Go module proxy."""
    binary = TOOLS / FERRETDB_BUILD
    if binary.exists():
        return binary
    go = _go()
    say(f"building FerretDB {FERRETDB_VERSION} (once; about two minutes)...")
    info = json.loads(
        subprocess.run(
            [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
            check=True,
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),
        ).stdout
    )
    with tempfile.TemporaryDirectory(prefix="ferretdb-src-") as build:
        source = Path(build) / "src"
        shutil.copytree(info["Dir"], source)
        for path in source.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
        for added, target in FERRETDB_FILES.items():
            shutil.copyfile(FERRETDB_DIR / added, source / target)
        _patch(source)
        # A module download has no git metadata; FerretDB reads its version from these files.
        version_dir = source / "build" / "version"
        for name, value in (
            ("version", FERRETDB_VERSION),
            ("commit", "unknown"),
            ("branch", "unknown"),
            ("package", "source"),
        ):
            (version_dir / f"{name}.txt").write_text(value + "\n")
        TOOLS.mkdir(parents=True, exist_ok=True)
        partial = TOOLS / f".ferretdb-{os.getpid()}"
        subprocess.run(
            [go, "build", "-o", str(partial), "./cmd/ferretdb"],
            cwd=source,
            check=True,
            env={**os.environ, "CGO_ENABLED": "0"},
        )
        partial.replace(binary)
    return binary


KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.7.1"


def ensure_kustomize(say) -> Path:
    """Return kustomize (which renders deploy/kubernetes), built once from the Go module proxy."""
    binary = TOOLS / f"kustomize-{KUSTOMIZE_VERSION}"
    if binary.exists():
        return binary
    go = _go()
    say(f"building kustomize {KUSTOMIZE_VERSION} (once; about twenty seconds)...")
    with tempfile.TemporaryDirectory(prefix="kustomize-") as build:
        subprocess.run(
            [go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
            check=True,
            capture_output=True,
            cwd=build,
            env={**os.environ, "GOBIN": build, "CGO_ENABLED": "0"},
        )
        TOOLS.mkdir(parents=True, exist_ok=True)
        partial = TOOLS / f".kustomize-{os.getpid()}"
        shutil.move(str(Path(build) / "kustomize"), partial)
        partial.replace(binary)
    return binary


def _patch(source: Path) -> None:
    """Apply FERRETDB_PATCHES to FerretDB's source, in order; each applies whole or the build stops."""
    if not shutil.which("git"):
        raise SetupError("FerretDB's build applies its patches with git, which is not installed.")
    for patch in FERRETDB_PATCHES:
        applied = subprocess.run(
            ["git", "apply", "--whitespace=nowarn", str(patch)],  # whatever apply.whitespace says
            check=False,
            cwd=source,
            capture_output=True,
            text=True,
            # The source is no repository: git must not look for one in the folders above it.
            env={**os.environ, "GIT_CEILING_DIRECTORIES": str(source.parent)},
        )
        if applied.returncode != 0:
            raise SetupError(
                f"FerretDB {FERRETDB_VERSION}'s source is not as {patch.name} expects: {applied.stderr}"
            )


def store_command(settings: Settings, say) -> list[str]:
    """Return the command of the embedded document store: mongod when installed, else FerretDB."""
    port = settings.ports["store"]
    mongod = shutil.which("mongod")
    if mongod:
        folder = settings.data_dir / "mongod"
        folder.mkdir(parents=True, exist_ok=True)
        return [mongod, "--dbpath", str(folder), "--port", str(port), "--bind_ip", "127.0.0.1"]
    folder = settings.data_dir / "ferretdb"
    folder.mkdir(parents=True, exist_ok=True)
    return [
        str(ensure_ferretdb(say)),
        "--handler=sqlite",
        # WAL without a sync per commit: a commit survives the store's process being killed, and
        # the last ones may be lost to a power cut, as MongoDB's default journaling (flushed every
        # 100 ms) also allows. A sync per commit holds every write to about a thousand a second.
        f"--sqlite-url=file:{folder}/?_pragma=synchronous(normal)",
        f"--listen-addr=127.0.0.1:{port}",
        "--telemetry=disable",
        "--debug-addr=-",
        f"--state-dir={folder}",
        "--log-level=warn",
    ]


def ensure_rabbitmq(say) -> None:
    """Install Debian's rabbitmq-server when missing and running as root; else say what to do."""
    ensure_package(RABBITMQ_SERVER, "rabbitmq-server", say, "or set AMQP_URL to a broker")


def ensure_nginx(say) -> None:
    """Install Debian's nginx, the public entry point, when missing and running as root."""
    ensure_package(NGINX, "nginx", say, "then run `make run` again")


def ensure_package(program: Path, package: str, say, otherwise: str) -> None:
    """Install a Debian package when its program is missing and running as root; else say what to do."""
    if program.exists():
        return
    if os.geteuid() != 0:
        raise SetupError(
            f"{package} is not installed. Install it with `sudo apt-get install -y {package}`, {otherwise}."
        )
    say(f"installing {package} from Debian's packages...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", package], check=True, env=env, stdout=subprocess.DEVNULL
    )


def broker_program(settings: Settings) -> tuple[list[str], dict, str | None]:
    """Return the command, environment and user of a private RabbitMQ node under DATA_DIR."""
    port = settings.ports["amqp"]
    base = settings.data_dir / "rabbitmq"
    (base / "mnesia").mkdir(parents=True, exist_ok=True)
    (base / "log").mkdir(parents=True, exist_ok=True)
    plugins = base / "enabled_plugins"
    plugins.write_text("[].\n")
    env = {
        # Named after its AMQP port, which one program at a time holds: two nodes never share a name.
        "RABBITMQ_NODENAME": f"complaints-{port}@localhost",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        # Erlang's distribution listens on a port of the platform's own block (launcher/settings.py),
        # on loopback only, as every other port: epmd, shared by every node, finds it there.
        "RABBITMQ_DIST_PORT": str(settings.ports["amqp_dist"]),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_PID_FILE": str(base / "rabbitmq.pid"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
    }
    user, account = None, None
    if os.geteuid() == 0:
        # The node runs as the package's user; it must own its folder and reach it.
        user = "rabbitmq"
        account = pwd.getpwnam(user)
        env["HOME"] = account.pw_dir
        for path in [base, *base.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
        _check_traversable(base, account.pw_uid)
    _ensure_erlang_cookie(Path(account.pw_dir) if account else Path.home(), account)
    return [str(RABBITMQ_SERVER)], env, user


def _ensure_erlang_cookie(home: Path, account: pwd.struct_passwd | None) -> None:
    """Make the user's Erlang cookie, when missing, in one step.

    Every node of a user reads ~/.erlang.cookie (as does rabbitmqctl); a node that finds none writes
    one, and two platforms' nodes starting together would both write it: one would then hold a
    cookie the file no longer has. The file appears whole, or not at all, and the first one stays.
    """
    cookie = home / ".erlang.cookie"
    if cookie.exists():
        return
    partial = home / f".erlang.cookie.{os.getpid()}"
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(20).upper())
        if account:
            os.chown(partial, account.pw_uid, account.pw_gid)
        os.link(partial, cookie)
    except OSError:
        pass  # made meanwhile, the one every node of this user reads; or a home not ours to write
    finally:
        partial.unlink(missing_ok=True)


def _check_traversable(folder: Path, uid: int) -> None:
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if parent.stat().st_uid != uid and not mode & 0o001:
            raise SetupError(
                f"The rabbitmq user cannot reach {folder}: {parent} is not searchable "
                f"by others. Choose another DATA_DIR or `chmod o+x {parent}`."
            )
