from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    """The federation's administration: creating an association with everything it needs,
    and the federation's dashboard."""

    name = "cms.associations"
    label = "associations"
    verbose_name = _("Associations de la fédération")
