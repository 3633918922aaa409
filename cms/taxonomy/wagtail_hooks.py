from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.federation.viewsets import SiteScopedViewSetMixin

from .models import ClassYear, Contributor, Group


class ClassYearViewSet(SiteScopedViewSetMixin, SnippetViewSet):
    model = ClassYear
    icon = "group"
    list_display = ["year", "name"]


class GroupViewSet(SiteScopedViewSetMixin, SnippetViewSet):
    model = Group
    icon = "site"
    list_display = ["name", "kind"]
    list_filter = ["kind"]


class ContributorViewSet(SiteScopedViewSetMixin, SnippetViewSet):
    model = Contributor
    icon = "user"
    list_display = ["name", "class_year", "role"]


class CommunityGroup(SnippetViewSetGroup):
    menu_label = _("Communauté")
    menu_icon = "group"
    menu_order = 250
    items = (ClassYearViewSet, GroupViewSet, ContributorViewSet)


register_snippet(CommunityGroup)
