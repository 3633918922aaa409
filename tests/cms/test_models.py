from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.content.models import AlumniNewsPage, EventPage, SectionIndexPage
from tests.cms.factories import make_image, make_item


def test_items_go_under_the_index_of_their_section_only(site_tree):
    news_index = site_tree["indexes"]["actualites"]
    events_index = site_tree["indexes"]["evenements"]
    assert AlumniNewsPage.can_create_at(news_index)
    assert not AlumniNewsPage.can_create_at(events_index)
    assert EventPage.can_create_at(events_index)
    assert not AlumniNewsPage.can_create_at(site_tree["home"])
    assert SectionIndexPage.can_create_at(site_tree["home"])


def test_hero_image_requires_a_text_alternative(site_tree):
    page = make_item(site_tree, publish=False, hero_image=make_image())
    with pytest.raises(ValidationError) as err:
        page.full_clean()
    assert "hero_alt" in err.value.message_dict
    page.hero_alt = "Une photo"
    page.full_clean()


def test_event_cannot_end_before_it_starts(site_tree):
    start = timezone.now()
    page = make_item(
        site_tree, "evenements", publish=False, start=start, end=start - dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as err:
        page.full_clean()
    assert "end" in err.value.message_dict


def test_public_url_of_an_item_is_on_the_static_site(site_tree, settings):
    page = make_item(site_tree)
    assert page.full_url == f"{settings.RELAIS_SITE_URL}/actualites/nomination-lea-martin/"
    assert page.static_path == "/actualites/nomination-lea-martin/"


def test_admin_speaks_french_by_default(admin_user, client):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()
    assert "Tableau de bord" in response.content.decode()


def test_item_editor_labels_are_french(site_tree, admin_user, client):
    client.force_login(admin_user)
    index = site_tree["indexes"]["parcours"]
    response = client.get(f"/admin/pages/add/content/careerstorypage/{index.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Chapeau", "Image principale", "Diplômé·e", "Secteur", "Promotions"):
        assert label in html
