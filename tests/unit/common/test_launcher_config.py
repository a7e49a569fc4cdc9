import configparser

import pytest

from launcher import infra, supervisor
from launcher.settings import load


def test_the_supervised_group_has_every_process_and_escapes_percent(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "9100")
    settings = load()
    path = supervisor.write_config(settings, store=["ferretdb", "--x=%2F"], broker=None)
    parser = configparser.RawConfigParser()
    parser.read(path)
    programs = {s.split(":", 1)[1] for s in parser.sections() if s.startswith("program:")}
    expected = {"store", "smtp", "gateway", "nginx"} | {
        f"{s}-{kind}"
        for s in ("intake", "tracking", "notification", "feedback")
        for kind in ("web", "worker")
    }
    assert programs == expected
    assert parser.get("program:store", "command") == "ferretdb --x=%%2F"
    assert 'PORT="9101"' in parser.get("program:intake-web", "environment")


def test_ports_default_to_offsets_of_the_gateway_port(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "9200")
    monkeypatch.setenv("TRACKING_PORT", "9999")
    settings = load()
    assert settings.ports["intake"] == 9201 and settings.ports["tracking"] == 9999
    assert settings.admin_password == load().admin_password  # kept under DATA_DIR


def test_instances_two_starts_every_service_worker_and_gateway_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "9300")
    monkeypatch.setenv("INSTANCES", "2")
    settings = load()
    path = supervisor.write_config(settings, store=None, broker=None)
    parser = configparser.RawConfigParser()
    parser.read(path)
    programs = {s.split(":", 1)[1] for s in parser.sections() if s.startswith("program:")}
    doubled = {"gateway", "nginx"} | {
        f"{s}-{kind}"
        for s in ("intake", "tracking", "notification", "feedback")
        for kind in ("web", "worker")
    }
    assert programs == {"smtp"} | doubled | {f"{name}-2" for name in doubled}
    assert 'PORT="9309"' in parser.get("program:gateway", "environment")
    assert 'PORT="9319"' in parser.get("program:gateway-2", "environment")
    assert 'PORT="9312"' in parser.get("program:tracking-web-2", "environment")
    assert settings.urls("tracking") == "http://127.0.0.1:9302,http://127.0.0.1:9312"
    # Each instance's nginx listens on its GATEWAY_PORT and sends to both instances of everything.
    for instance, port in ((1, 9300), (2, 9310)):
        command = parser.get(f"program:nginx{'-2' if instance == 2 else ''}", "command")
        conf = (tmp_path / "run" / f"nginx-{instance}" / "nginx.conf").read_text()
        assert command.endswith(f"nginx-{instance}/nginx.conf") and f"listen 127.0.0.1:{port} " in conf
        for own in (9302, 9312, 9301, 9311, 9304, 9314, 9309, 9319):
            assert f"server 127.0.0.1:{own} " in conf


def test_maintenance_commands_find_the_ports_the_running_platform_chose(tmp_path, monkeypatch):
    from launcher.settings import load_running, record_ports

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "9400")
    monkeypatch.delenv("MONGO_URL", raising=False)
    monkeypatch.delenv("AMQP_URL", raising=False)
    record_ports(load())
    monkeypatch.delenv("GATEWAY_PORT")  # a later command given DATA_DIR alone
    settings = load_running()
    assert settings.broker_url.endswith(":9407/%2F") and settings.store_url == "mongodb://127.0.0.1:9406/"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GATEWAY_PORT", "abc"),
        ("GATEWAY_PORT", "70000"),
        ("INSTANCES", "0"),
        ("INSTANCES", "two"),
        ("STORE_PORT", "-1"),
    ],
)
def test_make_run_refuses_a_wrong_number_naming_its_variable(tmp_path, monkeypatch, variable, value):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit, match=f"^{variable}='{value}': expected a whole number from 1 to "):
        load()


def test_the_embedded_store_keeps_its_state_in_its_data_folder(tmp_path, monkeypatch):
    # FerretDB writes state.json into --state-dir, or else into its working directory: the repository.
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setattr(infra.shutil, "which", lambda program: None)  # no mongod: FerretDB
    monkeypatch.setattr(infra, "ensure_ferretdb", lambda say: tmp_path / "ferretdb-binary")
    command = infra.store_command(load(), print)
    assert f"--state-dir={tmp_path / 'ferretdb'}" in command
    assert (tmp_path / "ferretdb").is_dir()
