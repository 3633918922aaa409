from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, PageChooserPanel
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.federation.viewsets import SiteScopedViewSetMixin
from cms.social.delivery import MESSAGE_HOOK

from . import sending, stats, views
from .forms import DiscussionForm
from .models import Discussion


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("discuss/<int:pk>/envoyer/", views.send, name="discuss_send"),
        path("discuss/remercier/<int:page_id>/", views.thank, name="discuss_thank"),
    ]


class DiscussionViewSet(SiteScopedViewSetMixin, SnippetViewSet):
    model = Discussion
    icon = "comment"
    menu_label = _("Discussions")
    menu_order = 256
    add_to_admin_menu = True
    list_display = [
        TitleColumn(
            "question",
            label=_("question"),
            get_url=lambda d: reverse("discuss_send", args=[d.pk]),
        ),
        Column("kind", label=_("type"), accessor="get_kind_display"),
        Column("state", label=_("état"), accessor="get_state_display"),
        "created_at",
    ]
    list_filter = ["kind", "state"]
    edit_handler = ObjectList(
        [
            FieldPanel("question"),
            FieldPanel("context"),
            MultiFieldPanel(
                [
                    PageChooserPanel("page", page_type="content.ItemPage"),
                    FieldPanel("link"),
                    FieldPanel("source"),
                ],
                heading=_("Lien"),
            ),
            MultiFieldPanel(
                [FieldPanel("poll_options"), FieldPanel("poll_hours")], heading=_("Sondage")
            ),
            FieldPanel("networks"),
        ],
        base_form_class=DiscussionForm,
    )


register_snippet(DiscussionViewSet)


class ThankButton(PageMenuItem):
    label = _("Remercier les contributeurs")
    icon_name = "group"
    url_name = "discuss_thank"

    def is_shown(self, user):
        return hasattr(self.page.specific_class, "contributors") and (
            self.page.live and self.page.permissions_for_user(user).can_edit()
        )


@hooks.register("register_page_listing_more_buttons")
def page_listing_thank_button(page, user, next_url=None):
    yield ThankButton(page=page, priority=47)


@hooks.register("register_page_header_buttons")
def page_header_thank_button(page, user, view_name, next_url=None):
    yield ThankButton(page=page, priority=64)


hooks.register(MESSAGE_HOOK, sending.compose_delivery)


@hooks.register("stats_contributors_sections")
def thanks_section(request, site, filters):
    return stats.section(request, site, filters)
