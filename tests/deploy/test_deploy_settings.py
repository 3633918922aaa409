"""The deploy and media settings: read from the environment, refused with what to set when
incomplete, and never echoing a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import cms.settings.base as s; "
    "print(s.RELAIS_DEPLOY, s.STORAGES['default']['BACKEND'], "
    "s.STORAGES['default'].get('OPTIONS', {}).get('location'), "
    "s.STORAGES['default'].get('OPTIONS', {}).get('bucket_name'), s.RELAIS_DEPLOY_SITES)"
)
SECRET = "never-shown-secret-access-key"


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RELAIS_S3_", "RELAIS_DEPLOY", "RELAIS_MEDIA_"))
        and k != "DJANGO_SETTINGS_MODULE"
    }
    clean.update(RELAIS_S3_SECRET_ACCESS_KEY=SECRET, **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RELAIS_DEPLOY": "ftp"}, "RELAIS_DEPLOY='ftp': use `folder`"),
        ({"RELAIS_DEPLOY": "s3"}, "RELAIS_DEPLOY=s3 needs the bucket: set RELAIS_S3_BUCKET"),
        ({"RELAIS_MEDIA_STORAGE": "s3"}, "RELAIS_MEDIA_STORAGE=s3 needs a bucket"),
        ({"RELAIS_DEPLOY_SITES": "{sud: 1}"}, "RELAIS_DEPLOY_SITES is not valid JSON"),
    ],
    ids=["unknown-target", "s3-without-bucket", "media-without-bucket", "bad-json"],
)
def test_incomplete_settings_are_refused_with_what_to_set(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_s3_for_the_site_and_the_media():
    result = start(
        RELAIS_DEPLOY="s3",
        RELAIS_S3_BUCKET="alumni-site",
        RELAIS_MEDIA_STORAGE="s3",
        RELAIS_MEDIA_S3_BUCKET="alumni-media",
        RELAIS_DEPLOY_SITES='{"sud": {"bucket": "sud-site"}}',
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 4) == [
        "s3",
        "storages.backends.s3.S3Storage",
        "media",
        "alumni-media",
        "{'sud': {'bucket': 'sud-site'}}\n",
    ]


def test_by_default_the_site_stays_in_its_folder_and_the_media_on_disk():
    result = start()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("folder django.core.files.storage.FileSystemStorage None")
