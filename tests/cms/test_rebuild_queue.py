"""Publishing on one association's site is never held up by another's full rebuild: full
rebuilds go to a queue of their own, taken by a second worker (as ``make run`` starts it).

Two real worker processes: the one of rebuilds is stopped in the middle of association A's full
rebuild (a kill point of ``tests/cms/killpoints``); meanwhile an item published on association
B's site goes live through the other worker."""

from __future__ import annotations

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cms.associations.creation import NewAssociation, create_association
from cms.content.models import SectionIndexPage
from cms.publishing.models import BuildRecord, ExportRecord
from tests.cms.factories import make_item
from tests.cms.workers import wait_until

TIMEOUT = 90


def test_a_full_rebuild_of_one_site_holds_up_no_publication_of_another(
    shared_site, workers, settings, admin_client
):
    sud = create_association(NewAssociation(name="Alumni Sud"))
    publishing = workers("publishing", "--queues", "publishing,syndication,maintenance")
    wait_until(
        lambda: BuildRecord.objects.filter(
            site=sud.site, status=BuildRecord.Status.SUCCEEDED
        ).exists(),
        TIMEOUT,
        "Alumni Sud's first build",
        publishing.log,
    )
    # the admin of A asks for a full rebuild; the worker of rebuilds stops in its middle
    assert (
        admin_client.post("/admin/site/rebuild/", {"site": shared_site["site"].pk}).status_code
        == 302
    )
    rebuilding = workers(
        "rebuilds",
        "--queues",
        "rebuilds",
        "--no-clock",
        killpoint="relais.incremental:SiteBuilder.full_build",
    )
    rebuilding.wait_for_killpoint()
    assert DBTaskResult.objects.filter(
        queue_name="rebuilds", status=TaskResultStatus.RUNNING
    ).exists()

    # meanwhile an editor of B publishes: it goes live through the other worker
    tree = {
        "indexes": {
            "actualites": SectionIndexPage.objects.child_of(sud.site.root_page).get(
                section="actualites"
            )
        }
    }
    page = make_item(tree, title="Rencontre à Marseille", slug="rencontre-a-marseille")
    live = wait_until(
        lambda: ExportRecord.objects.filter(page_id=page.pk, live_at__isnull=False).first(),
        TIMEOUT,
        "B's item to go live while A rebuilds",
        lambda: publishing.log() + rebuilding.log(),
    )
    output = sud.output_dir / "actualites" / "rencontre-a-marseille" / "index.html"
    assert "Rencontre à Marseille" in output.read_text()
    assert live.site_id == sud.site_id
    # A's rebuild is still where it stopped: it did not run before B's publication
    assert DBTaskResult.objects.filter(
        queue_name="rebuilds", status=TaskResultStatus.RUNNING
    ).exists()
    assert settings.RELAIS_SITE_OUTPUT != sud.output_dir
