"""Export phase: a live page becomes content/<section>/<slug>.md with its pictures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from wagtail.embeds.blocks import EmbedValue
from wagtail.rich_text import RichText

from cms.publishing import export
from cms.publishing.models import ExportRecord
from cms.taxonomy.models import ClassYear, Contributor, Group
from relais.contentfile import load_file
from tests.cms.factories import make_image, make_item


@pytest.fixture
def rich_item(site_tree):
    photo = make_image("Banc")
    year = ClassYear.objects.create(year=2012, name="Ada Lovelace")
    group = Group.objects.create(name="Groupe Rhône-Alpes")
    contributor = Contributor.objects.create(name="Claire Moreau")
    body = [
        (
            "paragraph",
            RichText(
                "<h2>Un parcours</h2><p>Texte <b>gras</b> et "
                '<a href="https://example.org">lien</a>. 5 * 3 # [x]</p>'
            ),
        ),
        ("image", {"image": photo, "alt": "Le banc d'essai", "caption": "À Lyon"}),
        ("quote", {"text": "Le rail sera décarboné.", "attribution": "Léa Martin"}),
        ("embed", EmbedValue("https://www.youtube.com/watch?v=abc123")),
        ("paragraph", RichText("<p>Fin <script>alert(1)</script></p>")),
    ]
    page = make_item(
        site_tree,
        "parcours",
        title="Carrière : « de stagiaire à CTO » #1",
        slug="de-stagiaire-a-cto",
        summary="Léa raconte : 10 ans --- et après ?",
        body=body,
        hero_image=make_image("Hero"),
        hero_alt="Léa Martin au travail",
        hero_caption="Dans l'usine",
        alumnus_name="Léa Martin",
        alumnus_class_year=year,
        position="CTO",
        organisation="Hydrorail",
        sector="numerique",
        publish=False,
    )
    page.tags.add("hydrogène", "carrière")
    page.class_years.add(year)
    page.groups.add(group)
    page.contributors.add(contributor)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_export_writes_frontmatter_body_and_pictures(rich_item, content_dir, settings):
    export.export_page(rich_item)
    path = content_dir / "parcours" / "de-stagiaire-a-cto.md"
    item = load_file(path)
    assert item.title == "Carrière : « de stagiaire à CTO » #1"
    assert item.summary == "Léa raconte : 10 ans --- et après ?"
    assert (item.slug, item.section, item.cms_id) == (
        "de-stagiaire-a-cto",
        "parcours",
        rich_item.pk,
    )
    assert item.tags == ["carrière", "hydrogène"]
    assert item.class_years == ["2012"] and item.groups == ["Groupe Rhône-Alpes"]
    assert item.contributors == ["Claire Moreau"]
    assert item.canonical_url == f"{settings.RELAIS_SITE_URL}/parcours/de-stagiaire-a-cto/"
    assert item.date == rich_item.first_published_at
    assert (item.image, item.image_alt) == ("de-stagiaire-a-cto/hero.jpg", "Léa Martin au travail")
    assert item.image_social == "de-stagiaire-a-cto/social-1200x630.jpg"
    assert item.career.alumnus == "Léa Martin" and item.career.sector == "Numérique"
    folder = content_dir / "parcours" / "de-stagiaire-a-cto"
    assert sorted(p.name for p in folder.iterdir()) == [
        "hero.jpg",
        "image-1.jpg",
        "social-1200x630.jpg",
    ]
    from PIL import Image

    with Image.open(folder / "social-1200x630.jpg") as img:
        assert img.size == (1200, 630)
    body = item.body
    assert body.startswith(
        "## Un parcours\n\nTexte **gras** et [lien](https://example.org). 5 \\* 3 # \\[x\\]"
    )
    assert '<img src="de-stagiaire-a-cto/image-1.jpg" alt="Le banc d&#x27;essai">' in body
    assert "<figcaption>À Lyon</figcaption>" in body
    assert "> Le rail sera décarboné.\n>\n> — Léa Martin" in body
    assert 'href="https://www.youtube.com/watch?v=abc123"' in body
    assert body.endswith("Fin") and "script" not in body and "alert" not in body


def test_slug_change_moves_the_file_and_its_pictures(rich_item, content_dir):
    export.export_page(rich_item)
    rich_item.slug = "cto-en-dix-ans"
    rich_item.save_revision().publish()
    export.export_page(rich_item)
    assert not (content_dir / "parcours" / "de-stagiaire-a-cto.md").exists()
    assert not (content_dir / "parcours" / "de-stagiaire-a-cto").exists()
    assert load_file(content_dir / "parcours" / "cto-en-dix-ans.md").image == (
        "cto-en-dix-ans/hero.jpg"
    )
    assert (content_dir / "parcours" / "cto-en-dix-ans" / "hero.jpg").exists()
    assert ExportRecord.objects.get(page_id=rich_item.pk).path == "parcours/cto-en-dix-ans.md"


def test_withdraw_removes_everything(rich_item, content_dir):
    export.export_page(rich_item)
    export.withdraw_page(rich_item.pk)
    assert list((content_dir / "parcours").iterdir()) == []
    assert ExportRecord.objects.get(page_id=rich_item.pk).withdrawn


def test_removed_body_picture_is_removed_from_content(rich_item, content_dir):
    export.export_page(rich_item)
    rich_item.body = [(b.block_type, b.value) for b in rich_item.body if b.block_type != "image"]
    rich_item.save_revision().publish()
    export.export_page(rich_item)
    assert not (content_dir / "parcours" / "de-stagiaire-a-cto" / "image-1.jpg").exists()


def test_event_fields_and_organiser_taxonomies(site_tree, content_dir):
    year = ClassYear.objects.create(year=2015)
    group = Group.objects.create(name="Groupe Paris")
    start = timezone.make_aware(dt.datetime(2027, 1, 15, 19, 0))
    page = make_item(
        site_tree,
        "evenements",
        title="Afterwork",
        slug="afterwork",
        start=start,
        end=start + dt.timedelta(hours=3),
        location="Lyon",
        organiser_class_year=year,
        organiser_group=group,
        registration_url="https://example.org/inscription",
    )
    export.export_page(page)
    item = load_file(content_dir / "evenements" / "afterwork.md")
    assert item.event.start == start and item.event.location == "Lyon"
    assert item.event.organiser == "Groupe Paris"
    assert item.event.registration_url == "https://example.org/inscription"
    assert item.class_years == ["2015"] and item.groups == ["Groupe Paris"]


def test_publish_is_exported_on_commit_only(
    site_tree, content_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = make_item(site_tree)
    assert len(callbacks) >= 1
    assert (content_dir / "actualites" / "nomination-lea-martin.md").exists()
    assert ExportRecord.objects.get(page_id=page.pk).live_at is not None


def test_rolled_back_publish_is_not_exported(
    site_tree, content_dir, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="failed after publishing"),
        transaction.atomic(),
    ):
        make_item(site_tree, slug="annule")
        raise RuntimeError("the request failed after publishing")
    assert callbacks == []
    assert not (content_dir / "actualites" / "annule.md").exists()


def test_scheduled_page_is_exported_only_when_it_goes_live(
    site_tree, content_dir, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    page = make_item(site_tree, publish=False, slug="plus-tard")
    with django_capture_on_commit_callbacks(execute=True):
        page.go_live_at = timezone.now() + dt.timedelta(hours=1)
        page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live
    assert not (content_dir / "actualites" / "plus-tard.md").exists()
    from wagtail.models import Revision

    # an hour later: the scheduled time has come
    past = timezone.now() - dt.timedelta(minutes=1)
    revision = Revision.objects.get(object_id=str(page.pk), approved_go_live_at__isnull=False)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert (content_dir / "actualites" / "plus-tard.md").exists()


def test_unpublish_and_delete_withdraw_the_item(
    site_tree, content_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_item(site_tree)
        other = make_item(site_tree, slug="autre", title="Autre")
    path = content_dir / "actualites" / "nomination-lea-martin.md"
    assert path.exists() and (content_dir / "actualites" / "autre.md").exists()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert not path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()
    assert not (content_dir / "actualites" / "autre.md").exists()
