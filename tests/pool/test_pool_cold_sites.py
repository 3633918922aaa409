"""A pooled item adopted by many associations, on workers that keep few sites warm: each site
that is not warm loads its live tree without the new copy and publishes the copy as an update
(never a full build of the site), once, with the site a full build gives; a site whose build
fails holds up no other, and publishes its copy once fixed."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from cms.pool import adoption
from cms.pool.models import Offer, Share
from cms.publishing.models import BuildRecord, ExportRecord
from cms.publishing.tasks import build_site_task, run_build
from relais.buildconfig import SitePaths
from relais.incremental import SiteBuilder
from tests.cms.factories import make_item
from tests.site.test_incremental import diff, same_history, tree

SLUG = "enquete-nationale"


def test_cold_sites_publish_an_adopted_copy_as_an_update(
    federation, admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    settings.RELAIS_WARM_BUILDERS = 1  # every site but the last one built is cold
    members = [federation[key] for key in ("a", "b")]
    broken = federation["c"]
    for association in [*members, broken]:
        run_build(association.site_id, "première publication", full=True)
    # a file written by hand in C's folder, with an error: C's next build fails
    bad = broken.content_dir / "actualites" / "casse.md"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("---\ntitle: 'oups\ndate: 2026-01-01\n---\n", encoding="utf-8")
    fed_index = federation["federation"].site.root_page.get_children().get(slug="actualites")
    original = make_item(
        {"indexes": {"actualites": fed_index.specific}},
        publish=False,
        slug=SLUG,
        title="Enquête nationale",
        summary="Répondez à l'enquête de la fédération.",
    )
    Share.objects.create(page=original, mode=Share.Mode.ALL)
    with capture(execute=True):
        original.save_revision().publish()
    started = timezone.now()

    copies = {}
    for association in [*members, broken]:
        offer = Offer.objects.get(original_id=original.pk, association=association)
        with capture(execute=True):
            copies[association.site_id] = adoption.adopt(offer, admin_user).pk

    for association in members:
        builds = BuildRecord.objects.filter(site_id=association.site_id, started_at__gte=started)
        assert [(b.status, b.kind) for b in builds] == [("succeeded", "incremental")], (
            association,
            list(builds.values("kind", "status", "errors")),
        )
        record = ExportRecord.objects.get(page_id=copies[association.site_id])
        assert record.site_id == association.site_id and record.live_at is not None
        live = association.output_dir
        assert (live / "actualites" / SLUG / "index.html").is_file()
        assert (live / "index.html").read_text().count(f"/actualites/{SLUG}/") >= 1
    # the same site as a full build of the same content (the first one: adopted while cold)
    association = members[0]
    paths = association.paths
    full = SitePaths.at(paths.content, Path(tmp_path) / "full" / "output")
    same_history(paths, full)
    SiteBuilder(full, SITEURL=association.public_url).full_build()
    assert diff(tree(paths.output.resolve()), tree(full.output.resolve())) == []

    # C: its build failed and said why; its copy waits, then goes live once the file is fixed
    builds = BuildRecord.objects.filter(site_id=broken.site_id, started_at__gte=started)
    assert [b.status for b in builds] == ["failed"] and "casse.md" in builds[0].errors
    record = ExportRecord.objects.get(page_id=copies[broken.site_id])
    assert record.live_at is None
    assert not (broken.output_dir / "actualites" / SLUG).exists()
    bad.unlink()
    with capture(execute=True):
        build_site_task.call(broken.site_id, "correction")
    record.refresh_from_db()
    assert record.live_at is not None
    assert (broken.output_dir / "actualites" / SLUG / "index.html").is_file()
    # one copy per site, each live once
    for association in [*members, broken]:
        assert [p.name for p in (association.content_dir / "actualites").glob("*.md")] == [
            f"{SLUG}.md"
        ]
        assert len(list(association.output_dir.glob(f"actualites/{SLUG}*/index.html"))) == 1
