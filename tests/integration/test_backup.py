"""`make backup` while the store is written to, `make restore` into another folder: a consistent copy."""

from __future__ import annotations

import os
import shutil
import subprocess

import pymongo
import pytest

from launcher import backup, infra
from launcher.settings import Settings
from tests.support import free_port, shared_tmp_dir, wait_for


def test_a_backup_taken_while_writing_restores_what_was_there_and_nothing_after(infrastructure, db, tmp_path):
    if infrastructure.processes.get("store") is None:
        pytest.skip("MONGO_URL names a server of its own: it is backed up with its own tools")
    (infrastructure.folder / "secrets").mkdir(exist_ok=True)
    (infrastructure.folder / "secrets" / "secret-key").write_text("kept\n")
    db["backed_up"].insert_many([{"_id": n} for n in range(500)])
    taken = backup.backup(infrastructure.settings, tmp_path)
    db["backed_up"].insert_one({"_id": "after"})

    elsewhere = shared_tmp_dir("complaints-restore-")
    settings = Settings(data_dir=elsewhere, gateway_port=0, ports={"store": free_port()})
    (elsewhere / "ferretdb").mkdir()
    (elsewhere / "ferretdb" / "stale.sqlite-wal").write_text("left by the store the backup replaces")
    kept = backup.restore(settings, taken)
    assert (kept / "ferretdb" / "stale.sqlite-wal").exists()
    assert not (elsewhere / "ferretdb" / "stale.sqlite-wal").exists()
    assert (elsewhere / "secrets" / "secret-key").read_text() == "kept\n"
    store = subprocess.Popen(infra.store_command(settings, print), cwd=elsewhere, start_new_session=True)
    try:
        client = pymongo.MongoClient(settings.store_url, serverSelectionTimeoutMS=500)
        wait_for(lambda: client.admin.command("ping"), 30, 0.2, "the restored store")
        restored = client[db.name]["backed_up"]
        assert restored.count_documents({}) == 500
        assert restored.find_one({"_id": "after"}) is None
        client.close()
    finally:
        store.terminate()
        store.wait(30)
        shutil.rmtree(elsewhere, ignore_errors=True)
    assert db["backed_up"].count_documents({}) == 501  # the running store went on


def test_restore_refuses_while_the_platform_runs_and_backup_without_a_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MONGO_URL", raising=False)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "supervisord.pid").write_text(str(os.getpid()))  # "running": this process
    assert backup.main(["restore", str(tmp_path)]) == 1
    with pytest.raises(SystemExit, match="nothing to back up"):
        backup.main(["backup"])
