"""Fixtures of the newsletter tests: a real SMTP server on loopback (aiosmtpd, started and
stopped by the test) that Django's SMTP backend talks to, and associations with items that went
live on their sites."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.utils import timezone

from cms.publishing import export
from cms.publishing.models import ExportRecord
from tests.cms.factories import make_image, make_item
from tests.federation.builders import association_site


@dataclass
class Received:
    """What the SMTP server accepted: one entry per message and recipient."""

    messages: list[tuple[str, EmailMessage]] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if rcpt == address]

    def recipients(self) -> list[str]:
        return [rcpt for rcpt, _m in self.messages]


class Handler:
    """Accepts every message, and refuses at RCPT the addresses starting with ``inconnu``
    (a permanent 550, as a server says of a mailbox that does not exist)."""

    def __init__(self, received: Received):
        self.received = received

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("inconnu"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for rcpt in envelope.rcpt_tos:
            self.received.messages.append((rcpt, message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Any:
    """A real SMTP server on 127.0.0.1, Django's SMTP backend pointed at it."""
    received = Received()
    port = free_port()
    controller = Controller(Handler(received), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_a(db) -> dict[str, Any]:
    return association_site("Amicale A", "a.example.org", default=True)


def live_item(tree: dict[str, Any], title: str, slug: str, when: dt.datetime | None = None):
    """An item published and exported, gone live on its static site at ``when``."""
    item = make_item(
        tree,
        title=title,
        slug=slug,
        summary=f"Le chapeau de {title}.",
        hero_image=make_image(f"Photo {slug}"),
        hero_alt=f"Photo de {title}",
    )
    record = export.export_page(item)
    ExportRecord.objects.filter(pk=record.pk).update(
        first_live_at=when or timezone.now(),
        live_at=when or timezone.now(),
    )
    return item
