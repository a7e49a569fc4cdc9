import configparser

from launcher import supervisor
from launcher.settings import load


def test_the_supervised_group_has_every_process_and_escapes_percent(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "9100")
    settings = load()
    path = supervisor.write_config(settings, store=["ferretdb", "--x=%2F"], broker=None)
    parser = configparser.RawConfigParser()
    parser.read(path)
    programs = {s.split(":", 1)[1] for s in parser.sections() if s.startswith("program:")}
    expected = {"store", "smtp", "gateway"} | {
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
