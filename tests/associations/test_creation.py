"""An association made in one call: its site, pages, collection, groups, settings, and its own
static site built into its own folders, served beside the first association's."""

from __future__ import annotations

import io

import pytest
import requests
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from cms.associations.creation import CreationError, NewAssociation, create_association
from cms.content.models import SectionIndexPage
from cms.federation.models import Association, Sector
from cms.members.models import SignUpPage
from relais.sections import SECTIONS
from relais.serve import make_server
from relais.siteconfig import load_site_config
from tests.support import static_server


def test_an_association_is_made_with_everything_it_needs(
    site_tree, content_dir, site_output, settings, django_capture_on_commit_callbacks
):
    energy = Sector.objects.create(name="Énergie", slug="energie")
    with django_capture_on_commit_callbacks(execute=True):
        made = create_association(
            NewAssociation(
                name="Alumni Sud", contact_email="contact@sud.example.org", sectors=[energy]
            )
        )
    assert (made.slug, made.folder, made.kind) == ("alumni-sud", "alumni-sud", "association")
    assert list(made.sectors.all()) == [energy]
    site = made.site
    assert (site.hostname, site.port) == ("alumni-sud.localhost", 8000)
    home = site.root_page.specific
    assert home.live and home.title == "Alumni Sud"
    sections = SectionIndexPage.objects.child_of(home)
    assert sorted(s.section for s in sections) == sorted(SECTIONS)
    signup = SignUpPage.objects.child_of(home).get()
    assert signup.live and signup.privacy_page.live
    collection = Collection.objects.get(name="Alumni Sud")
    for group in made.groups:
        assert group.name.startswith("Alumni Sud — ")
        assert GroupPagePermission.objects.filter(group=group, page=home).exists()
        assert GroupCollectionPermission.objects.filter(group=group, collection=collection)
        # nothing on the first association's pages
        assert not GroupPagePermission.objects.filter(group=group, page=site_tree["home"])
    assert made.administrators.permissions.filter(codename="change_socialaccount").exists()
    assert not made.editors.permissions.filter(codename="change_socialaccount").exists()

    # its own content folder and static site, beside the first association's
    config = load_site_config(content_dir / "alumni-sud")
    assert config.name == "Alumni Sud"
    assert config.signup_url == "http://alumni-sud.localhost:8000/adherer/"
    own_output = site_output.parent / "alumni-sud" / "output"
    assert (own_output / "index.html").is_file()
    assert "Alumni Sud" in (own_output / "index.html").read_text()
    assert (own_output / "donnees-personnelles" / "index.html").is_file()
    assert not (site_output / "donnees-personnelles").exists()
    assert made.public_url == f"{settings.RELAIS_SITE_URL}/alumni-sud"


def test_one_server_serves_every_association_under_its_folder(
    site_tree, content_dir, site_output, settings, django_capture_on_commit_callbacks
):
    site_output.parent.mkdir(parents=True, exist_ok=True)
    with static_server(site_output) as url:
        settings.RELAIS_SITE_URL = url
        with django_capture_on_commit_callbacks(execute=True):
            create_association(NewAssociation(name="Alumni Sud"))
        page = requests.get(f"{url}/alumni-sud/", timeout=10)
        assert page.status_code == 200 and "Alumni Sud" in page.text
        assert f'href="{url}/alumni-sud/theme/css/site.css"' in page.text
        missing = requests.get(f"{url}/alumni-sud/nulle-part/", timeout=10)
        assert missing.status_code == 404 and "Alumni Sud" in missing.text
    server = make_server(site_output, port=0, mounts={})
    server.server_close()


@pytest.mark.parametrize(
    "spec, message",
    [
        (NewAssociation(name="  "), "name"),
        (NewAssociation(name="Parcours", slug="parcours"), "cannot name"),
    ],
)
def test_what_cannot_be_made_says_what_to_change(site_tree, spec, message):
    with pytest.raises(CreationError, match=message):
        create_association(spec)


def test_an_identifier_or_address_taken_is_refused(site_tree):
    create_association(NewAssociation(name="Alumni Sud"))
    with pytest.raises(CreationError, match="already called"):
        create_association(NewAssociation(name="Autre", slug="alumni-sud"))
    with pytest.raises(CreationError, match="already answers"):
        create_association(NewAssociation(name="Autre", hostname="alumni-sud.localhost"))


def test_the_command_makes_a_union_member_and_says_where_it_is(site_tree):
    Association.objects.filter(site=site_tree["site"]).update(slug="federation", kind="federation")
    out = io.StringIO()
    call_command(
        "create_association",
        "Union Rhône-Alpes",
        "--kind",
        "union",
        "--parent",
        "federation",
        stdout=out,
    )
    union = Association.objects.get(slug="union-rhone-alpes")
    assert union.kind == "union" and union.parent.slug == "federation"
    assert "content/union-rhone-alpes/" in out.getvalue()
    assert "created in" in out.getvalue()
    with pytest.raises(CommandError, match="No association"):
        call_command("create_association", "X", "--parent", "nowhere", stdout=io.StringIO())


def test_a_new_association_costs_the_same_however_many_there_are(
    site_tree, content_dir, site_output, settings, django_capture_on_commit_callbacks
):
    """Making an association provisions it (and any not provisioned yet), not every other
    association again: the queries it takes do not grow with the installation."""

    def make(n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                create_association(NewAssociation(name=f"Alumni {n:02d}"))
        return len(queries)

    costs = [make(n) for n in range(6)]
    assert Association.objects.count() == 7
    # every association got its groups, collection and workflow
    assert not Association.objects.filter(collection__isnull=True).exists()
    assert not Association.objects.filter(moderators__isnull=True).exists()
    assert costs[-1] <= costs[3] + 10, costs
