"""The CMS with a deploy target: a publication ends in the bucket (moto's S3 server on
loopback), a failed deploy keeps the items from being announced until the next build sends them,
the CDN is told, and images uploaded in the admin go to the bucket too."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image
from wagtail.models import Site

from cms.content.models import HomePage
from cms.federation.models import Association
from cms.publishing.deploy import deploy_target
from cms.publishing.models import BuildRecord, ExportRecord, SiteState
from cms.publishing.recovery import Recovery
from cms.publishing.tasks import build_site_task, run_build
from tests.cms.factories import make_image, make_item
from tests.deploy.support import KEYS, REGION, bucket_files, head, tree_files
from tests.deploy.support import client as s3_client
from tests.support import write_item


@pytest.fixture
def deployed(settings, s3, bucket) -> str:
    """Sites deployed to the test bucket, without prefix for the first association."""
    settings.RELAIS_DEPLOY = "s3"
    settings.RELAIS_S3 = {
        "endpoint_url": s3.url,
        "region": REGION,
        "bucket": bucket,
        "max_attempts": 1,
        **KEYS,
    }
    settings.RELAIS_DEPLOY_PREFIX = ""
    settings.RELAIS_DEPLOY_SITES = {}
    settings.RELAIS_DEPLOY_PURGE = ""
    return bucket


def test_a_published_item_and_its_picture_are_in_the_bucket(
    site_tree, site_output, deployed, s3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree, hero_image=make_image("Gala"), hero_alt="La salle du gala")
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None
    files = bucket_files(s3, deployed)
    assert files == tree_files(site_output)
    assert b"Nomination de L" in files["actualites/nomination-lea-martin/index.html"]
    picture = head(s3, deployed, "actualites/nomination-lea-martin/hero.jpg")
    assert (picture["ContentType"], picture["CacheControl"]) == (
        "image/jpeg",
        "public, max-age=86400",
    )
    page_head = head(s3, deployed, "actualites/nomination-lea-martin/index.html")
    assert page_head["ContentType"] == "text/html; charset=utf-8"
    assert page_head["CacheControl"] == "public, max-age=300"


def test_a_failed_deploy_announces_nothing_until_the_next_build_sends_it(
    site_tree, site_output, deployed, s3, admin_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    s3.fail_after_more(2)  # the storage stops answering in the middle of the next deploy
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree, title="Gala 2027", slug="gala-2027")
    record = BuildRecord.objects.order_by("-pk").first()
    assert record.status == BuildRecord.Status.FAILED
    assert "the next build sends the rest" in record.errors
    assert KEYS["secret_access_key"] not in record.errors
    # not live for the CMS: no post goes out with a link the public site does not have yet
    assert ExportRecord.objects.get(page_id=page.pk).live_at is None
    client.force_login(admin_user)
    status = client.get("/admin/site/").content.decode()
    assert "sa copie dans le stockage objet n'est pas terminée" in status
    assert "le site en ligne n'a pas changé" not in status
    assert "2 file(s) of" in status  # cut in the middle: two of its uploads went through
    s3.heal()
    assert build_site_task.call(site_tree["site"].pk, "again") is not None
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None
    assert bucket_files(s3, deployed) == tree_files(site_output)


def test_the_recovery_tries_a_failed_deploy_again_but_not_a_failed_build(
    site_tree, site_output, content_dir, deployed, s3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    s3.stop()
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree, title="Gala 2027", slug="gala-2027")
    assert BuildRecord.objects.order_by("-pk").first().status == BuildRecord.Status.FAILED
    s3.start()
    builds = BuildRecord.objects.count()
    # the clock's recovery enqueues a build (run at once here): the deploy is finished
    assert Recovery().resume_builds() == 1
    assert BuildRecord.objects.count() == builds + 1
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None
    assert bucket_files(s3, deployed) == tree_files(site_output)
    # a build that failed on its content still waits for a fix
    write_item(content_dir, "actualites", "main-cassee", "title: 'oups\ndate: 2026-01-01")
    SiteState.bump(site_tree["site"])
    assert run_build(site_tree["site"], "test").status == BuildRecord.Status.FAILED
    assert Recovery().resume_builds() == 0


def test_the_cdn_is_told_what_changed(
    site_tree, site_output, deployed, settings, purge_receiver, django_capture_on_commit_callbacks
):
    settings.RELAIS_DEPLOY_PURGE = purge_receiver.url
    settings.RELAIS_DEPLOY_PURGE_TOKEN = "cdn-secret"
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    assert purge_receiver.calls, "the purge address was not called"
    call = purge_receiver.calls[-1]
    assert "/actualites/nomination-lea-martin/" in call["paths"]
    assert call["site"] == settings.RELAIS_SITE_URL
    assert purge_receiver.headers[-1]["Authorization"] == "Bearer cdn-secret"


def purge_into(paths: list[str], site_url: str) -> None:
    PURGED.append((site_url, paths))


PURGED: list[tuple[str, list[str]]] = []


def test_the_purge_may_be_a_function(
    site_tree, site_output, deployed, settings, django_capture_on_commit_callbacks
):
    settings.RELAIS_DEPLOY_PURGE = f"{__name__}.purge_into"
    PURGED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    assert PURGED and PURGED[0][0] == settings.RELAIS_SITE_URL and "/" in PURGED[0][1]


def test_each_association_goes_below_the_first_ones_prefix(site_tree, deployed, settings):
    settings.RELAIS_DEPLOY_PREFIX = "sites"
    first = Association.for_site(site_tree["site"])
    home = site_tree["home"].get_parent().add_child(instance=HomePage(title="Sud", slug="sud"))
    other = Association.for_site(
        Site.objects.create(hostname="sud.example.org", root_page=home, site_name="Sud")
    )
    assert other.folder == "sud"
    assert deploy_target(first).prefix == "sites/" and deploy_target(first).exclude == ("sud/",)
    assert deploy_target(other).prefix == "sites/sud/"
    settings.RELAIS_DEPLOY_SITES = {"sud": {"bucket": "sud-site", "prefix": ""}}
    assert deploy_target(first).exclude == ()
    assert (deploy_target(other).bucket, deploy_target(other).prefix) == ("sud-site", "")
    settings.RELAIS_DEPLOY_SITES = {"sud": {"to": "folder"}}
    assert deploy_target(other) is None
    settings.RELAIS_DEPLOY_SITES = {"sud": {"prefix": "sites"}}
    with pytest.raises(ImproperlyConfigured, match="give one of them another prefix"):
        deploy_target(first)


def test_an_image_uploaded_in_the_admin_is_stored_in_the_bucket(
    site_tree, settings, s3, bucket, admin_user, client
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "location": "media",
                "endpoint_url": s3.url,
                "region_name": REGION,
                "access_key": KEYS["access_key_id"],
                "secret_key": KEYS["secret_access_key"],
                "file_overwrite": False,
            },
        },
    }
    picture = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 40, 40)).save(picture, "PNG")
    picture.seek(0)
    picture.name = "affiche-gala.png"
    client.force_login(admin_user)
    answer = client.post(
        "/admin/images/add/", {"title": "Affiche du gala", "file": picture}, follow=False
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    keys = [o["Key"] for o in s3_client(s3).list_objects_v2(Bucket=bucket)["Contents"]]
    [original] = [k for k in keys if k.startswith("media/original_images/")]
    assert original.endswith(".png")
    stored = s3_client(s3).get_object(Bucket=bucket, Key=original)["Body"].read()
    assert stored == picture.getvalue()
