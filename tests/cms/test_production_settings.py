"""Production refuses to start without an e-mail backend that delivers: sign-ups' e-mails
would otherwise be printed into the logs, personal data included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = "import cms.settings.production as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT)"


def start_production(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("RELAIS_EMAIL_") and k != "DJANGO_SETTINGS_MODULE"
    }
    clean.update(RELAIS_SECRET_KEY="a-long-random-production-secret-for-this-test", **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"RELAIS_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
        {"RELAIS_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        {"RELAIS_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
        {"RELAIS_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
        {"RELAIS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
        {"RELAIS_EMAIL_PASSWORD": "smtp-password-never-shown"},
    ],
    ids=["nothing", "console", "locmem", "dummy", "filebased", "smtp-without-host", "no-host"],
)
def test_refuses_to_start_without_a_delivering_backend(env):
    result = start_production(**env)
    assert result.returncode != 0
    assert "RuntimeError: E-mail is not configured for production" in result.stderr
    assert "Set RELAIS_EMAIL_HOST" in result.stderr and "RELAIS_EMAIL_PASSWORD" in result.stderr
    assert "smtp-password-never-shown" not in result.stderr + result.stdout


def test_starts_with_an_smtp_server():
    result = start_production(
        RELAIS_EMAIL_HOST="smtp.alumni.example.org",
        RELAIS_EMAIL_PORT="465",
        RELAIS_EMAIL_USE_SSL="1",
        RELAIS_EMAIL_PASSWORD="smtp-password-never-shown",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.alumni.example.org",
        "465",
    ]
