"""Draft preview through the site's templates, and moderation (submit, approve, publish)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import RequestFactory
from wagtail.models import Workflow

from cms.core import wagtail_names
from cms.publishing import export
from cms.publishing.models import ExportRecord
from tests.cms.factories import make_image, make_item


def test_preview_renders_the_draft_with_the_site_theme(site_tree, admin_user, client):
    export.export_site_config(site_tree["site"])
    page = make_item(
        site_tree,
        publish=False,
        title="Brouillon : « inédit »",
        hero_image=make_image(),
        hero_alt="Une photo du campus",
    )
    page.title = "Brouillon : « inédit » v2"
    preview = page.create_page_preview()
    client.force_login(admin_user)
    response = client.get(
        "/relais-preview/", {"content_type": page.get_content_type_str(), "token": preview.token}
    )
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    doc = BeautifulSoup(response.content, "html.parser")
    assert doc.h1.get_text() == "Brouillon : « inédit » v2"
    assert doc.select_one("aside.join")  # the same template as the static site
    hero = doc.select_one("figure.hero-image img")
    assert hero["alt"] == "Une photo du campus"
    assert "/media/images/" in hero["src"]  # drafts show the CMS's renditions


def test_preview_rejects_bad_tokens_and_strangers(site_tree, admin_user, client, django_user_model):
    page = make_item(site_tree, publish=False)
    preview = page.create_page_preview()
    params = {"content_type": page.get_content_type_str(), "token": preview.token}
    assert client.get("/relais-preview/", params).status_code == 302  # to the login page
    client.force_login(admin_user)
    assert client.get("/relais-preview/", {**params, "token": "forged:token"}).status_code == 404
    assert client.get("/relais-preview/", {**params, "content_type": "x.y"}).status_code == 404
    assert client.get("/relais-preview/").status_code == 404


def test_editor_preview_frame_points_to_the_relais_preview(site_tree, admin_user, client, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://cms.example.org"
    page = make_item(site_tree, publish=False)
    request = RequestFactory().get("/admin/pages/1/edit/preview/")
    request.user = admin_user
    response = page.make_preview_request(request, page.default_preview_mode)
    frame = BeautifulSoup(response.content, "html.parser").find("iframe")
    assert frame["src"].startswith(
        "http://cms.example.org/relais-preview/?content_type=content.alumninewspage&token="
    )


def test_moderation_workflow_publishes_and_exports_on_approval(
    site_tree, admin_user, django_user_model, content_dir, django_capture_on_commit_callbacks
):
    editor = django_user_model.objects.create_user("redactrice", password="pw")
    page = make_item(site_tree, publish=False, slug="soumis")
    workflow = Workflow.objects.get(name=wagtail_names.MODERATION)
    workflow.workflow_pages.create(page=site_tree["home"])
    with django_capture_on_commit_callbacks(execute=True):
        revision = page.save_revision(user=editor)
        workflow_state = workflow.start(page, editor)
    page.refresh_from_db()
    assert workflow_state.status == "in_progress" and not page.live
    assert not (content_dir / "actualites" / "soumis.md").exists()
    task_state = workflow_state.current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state, admin_user, "approve")
    page.refresh_from_db()
    assert page.live and page.live_revision_id == revision.pk
    assert (content_dir / "actualites" / "soumis.md").exists()
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None
