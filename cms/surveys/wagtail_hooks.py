from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import views
from .models import SurveyPage


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("surveys/<int:page_id>/", views.results, name="surveys_results"),
        path("surveys/<int:page_id>/invitations/", views.invite, name="surveys_invite"),
        path("surveys/<int:page_id>/article/", views.results_article, name="surveys_article"),
    ]


def results_button(page, user, priority: int):
    model = page.specific_class
    if model and issubclass(model, SurveyPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Résultats de l'enquête"),
            reverse("surveys_results", args=[page.pk]),
            icon_name="table",
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def survey_results_header_button(page, user, view_name=None, next_url=None):
    yield from results_button(page, user, 15)


@hooks.register("register_page_listing_more_buttons")
def survey_results_listing_button(page, user, next_url=None):
    yield from results_button(page, user, 15)
