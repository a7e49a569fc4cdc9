"""Back up and restore the embedded store of `make run`: `make backup`, `make restore FROM=<folder>`.

The embedded FerretDB keeps each database in one SQLite file under ``$DATA_DIR/ferretdb``. A
backup is SQLite's online backup of each of them, consistent while the platform runs, with the
secrets under ``$DATA_DIR/secrets`` (the key that signed the tokens, the Open311 key), written to
``$BACKUP_DIR/<UTC time>/`` (``BACKUP_DIR`` defaults to ``$DATA_DIR/backups``). Restoring puts a
backup's files in place while the platform is stopped; the files it replaces are kept beside it.
Events are not backed up: the broker holds only what is in flight, and the outboxes in the
store republish what was not yet confirmed.

A MongoDB server or replica set (MONGO_URL) is backed up with its own tools (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from launcher.settings import Settings, load


def store_folder(settings: Settings) -> Path:
    return settings.data_dir / "ferretdb"


def backup(settings: Settings, root: Path) -> Path:
    """Copy every database of the embedded store, and the secrets, to a new folder under root."""
    target = root / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True)
    databases = sorted(store_folder(settings).glob("*.sqlite"))
    if not databases:
        raise SystemExit(f"no embedded store under {store_folder(settings)}: nothing to back up")
    for database in databases:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        copy = sqlite3.connect(target / database.name)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    secrets = settings.data_dir / "secrets"
    if secrets.is_dir():
        shutil.copytree(secrets, target / "secrets")
    return target


def restore(settings: Settings, source: Path) -> Path:
    """Put a backup's databases and secrets in place; return where the replaced files were kept."""
    databases = sorted(source.glob("*.sqlite"))
    if not databases:
        raise SystemExit(f"{source} holds no backup (no .sqlite file)")
    folder = store_folder(settings)
    kept = settings.data_dir / f"before-restore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    kept.mkdir(parents=True)
    if folder.exists():
        shutil.move(folder, kept / "ferretdb")  # with its -wal files, which belong to the old files
    folder.mkdir(parents=True)
    for database in databases:
        shutil.copy2(database, folder / database.name)
    if (source / "secrets").is_dir():
        secrets = settings.data_dir / "secrets"
        if secrets.exists():
            shutil.move(secrets, kept / "secrets")
        shutil.copytree(source / "secrets", secrets)
    return kept


def main(argv: list[str]) -> int:
    from launcher.__main__ import already_running

    settings = load()
    if settings.mongo_url:
        print(
            "MONGO_URL is set: back up that server with its own tools (docs/operations.md)", file=sys.stderr
        )
        return 2
    if argv[:1] == ["backup"]:
        root = Path(os.environ.get("BACKUP_DIR") or settings.data_dir / "backups")
        print(f"backed up to {backup(settings, root)}")
        return 0
    if argv[:1] == ["restore"] and len(argv) == 2:
        running = already_running(settings)
        if running:
            print(f"the platform is running (supervisord pid {running}): stop it first", file=sys.stderr)
            return 1
        kept = restore(settings, Path(argv[1]))
        print(f"restored from {argv[1]}; the replaced files are in {kept}")
        return 0
    print("usage: python -m launcher.backup backup | restore FOLDER", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
