"""`make run`'s demo is a federation: the federation, a union, three associations (the demo's
first one included) and a pool, made through the real creation service and pool actions."""

from __future__ import annotations

import io

from django.core.management import call_command

from cms.content.models import ItemPage
from cms.federation.models import Association
from cms.pool.models import Offer
from tests.cms.factories import root_page


def test_the_demo_loads_a_federation_with_three_associations_and_a_pool(db, settings, tmp_path):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    root_page()
    out = io.StringIO()
    call_command("load_demo", "--no-export", stdout=out)
    assert "Demo federation loaded: 5 associations, 2 pooled item(s)." in out.getvalue()
    kinds = dict(Association.objects.values_list("slug", "kind"))
    assert kinds == {
        "federation": "federation",
        "union-rhone-alpes": "union",
        "enilc-alumni": "association",
        "alumni-estv": "association",
        "ingenieurs-isml": "association",
    }
    enilc = Association.objects.get(slug="enilc-alumni")
    assert enilc.folder == "" and enilc.parent.slug == "union-rhone-alpes"
    survey = ItemPage.objects.get(
        slug="enquete-salaires-2026",
        depth=4,
        live=True,
        path__startswith=Association.objects.get(slug="federation").site.root_page.path,
    )
    states = {o.association.slug: o.state for o in Offer.objects.filter(original=survey)}
    assert states == {
        "union-rhone-alpes": "proposed",
        "enilc-alumni": "adopted",
        "alumni-estv": "declined",
        "ingenieurs-isml": "proposed",
    }
    copy = Offer.objects.get(original=survey, association=enilc).copy.specific
    assert copy.live and copy.get_site() == enilc.site
    assert copy.canonical_url == survey.static_url
    # shared by sector (énergie, industrie): ENILC and ISML only, not ESTV nor the union
    day = Offer.objects.filter(original__slug="journee-nationale-ingenieur")
    assert sorted(o.association.slug for o in day) == ["enilc-alumni", "ingenieurs-isml"]
    # loading again changes nothing
    call_command("load_demo_federation", "--no-export", stdout=io.StringIO())
    assert Association.objects.count() == 5
