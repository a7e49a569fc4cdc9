"""The embedded SMTP sink files a message once per Message-ID, as mailbox providers keep it once."""

import asyncio
from types import SimpleNamespace

from launcher.smtp_sink import FolderHandler
from services.notification import mail


def deliver(handler, message) -> str:
    envelope = SimpleNamespace(original_content=message.as_bytes(), content=message.as_bytes())
    return asyncio.run(handler.handle_DATA(None, None, envelope))


def test_a_message_sent_again_is_filed_once_and_another_is_filed(tmp_path):
    handler = FolderHandler(tmp_path)
    first = mail.build(to="a@example.ma", subject="Accusé", text="t", html="<p>t</p>", key="e1:ack:h")
    again = mail.build(to="a@example.ma", subject="Accusé", text="t", html="<p>t</p>", key="e1:ack:h")
    other = mail.build(to="a@example.ma", subject="Accusé", text="t", html="<p>t</p>", key="e2:ack:h")
    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    assert deliver(handler, first).startswith("250")
    assert deliver(handler, again).startswith("250")
    assert deliver(handler, other).startswith("250")
    assert len(list(tmp_path.glob("*.eml"))) == 2
    # A restarted sink remembers what it filed.
    assert deliver(FolderHandler(tmp_path), again).startswith("250")
    assert len(list(tmp_path.glob("*.eml"))) == 2


def test_messages_without_a_key_are_all_filed(tmp_path):
    handler = FolderHandler(tmp_path)
    for _ in range(2):
        deliver(handler, mail.build(to="a@example.ma", subject="s", text="t", html="<p>t</p>"))
    assert len(list(tmp_path.glob("*.eml"))) == 2
