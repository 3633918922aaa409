from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "cms.calendar"
    label = "editorial_calendar"
    verbose_name = _("Calendrier éditorial")
