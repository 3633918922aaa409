"""The association's identity, edited once in Settings and exported to ``content/site.yaml``."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from cms.federation.models import Association
from cms.federation.permissions import ManagedSitePermissionPolicy
from relais.siteconfig import SiteConfig

from .validators import AddressValidator, EmailAddressValidator

#: What apps above this one add to an association's ``site.yaml``: each function takes the
#: association's settings and returns ``{field: value}`` for fields of
#: :class:`relais.siteconfig.SiteConfig` (the newsletter adds its subscribe address). Apps append
#: theirs in their ``AppConfig.ready``.
SITE_CONFIG_FIELDS: list[Callable[[AssociationSettings], dict[str, str]]] = []


@register_setting(icon="home")
class AssociationSettings(BaseSiteSetting):
    name = models.CharField(_("nom de l'association"), max_length=150, default="Relais")
    tagline = models.CharField(_("accroche"), max_length=250, blank=True)
    description = models.TextField(_("présentation courte"), blank=True)
    signup_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page d'adhésion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Le bouton « Adhérer » de chaque page du site y mène."),
    )
    signup_label = models.CharField(_("texte du bouton"), max_length=40, default="Adhérer")
    contact_email = models.EmailField(
        _("e-mail de contact"), blank=True, validators=[EmailAddressValidator()]
    )
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    # Profiles linked from the site's footer (site.yaml's networks): web addresses only
    linkedin_url = models.URLField(_("page LinkedIn"), blank=True, validators=[AddressValidator()])
    facebook_url = models.URLField(_("page Facebook"), blank=True, validators=[AddressValidator()])
    x_url = models.URLField(_("compte X"), blank=True, validators=[AddressValidator()])
    mastodon_url = models.URLField(
        _("compte Mastodon"), blank=True, validators=[AddressValidator()]
    )
    bluesky_url = models.URLField(_("compte Bluesky"), blank=True, validators=[AddressValidator()])
    instagram_url = models.URLField(
        _("compte Instagram"), blank=True, validators=[AddressValidator()]
    )
    youtube_url = models.URLField(_("chaîne YouTube"), blank=True, validators=[AddressValidator()])
    #: The language of the static site's own words (menus, dates, "Adhérer", the 404, feeds'
    #: titles): the theme speaks these (``themes/relais/translations/``). Items keep theirs.
    lang = models.CharField(
        _("langue du site"),
        max_length=8,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
        help_text=_(
            "La langue des mots du site public (menus, dates, bouton d'adhésion, page 404, "
            "titres des flux). Chaque article garde la langue dans laquelle il est écrit."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("tagline"),
                FieldPanel("description"),
                FieldPanel("contact_email"),
                FieldPanel("address"),
                FieldPanel("lang"),
            ],
            heading=_("Identité"),
        ),
        MultiFieldPanel(
            [FieldPanel("signup_page"), FieldPanel("signup_label")], heading=_("Adhésion")
        ),
        MultiFieldPanel(
            [
                FieldPanel(f"{n}_url")
                for n in (
                    "linkedin",
                    "facebook",
                    "x",
                    "mastodon",
                    "bluesky",
                    "instagram",
                    "youtube",
                )
            ],
            heading=_("Profils sur les réseaux"),
        ),
    ]

    class Meta:
        verbose_name = _("association")

    @classmethod
    def get_permission_policy(cls) -> ManagedSitePermissionPolicy:
        """Who edits a site's settings: whoever has the permission and administers the
        site's association."""
        return ManagedSitePermissionPolicy(cls)

    NETWORK_LABELS = {
        "linkedin": "LinkedIn",
        "facebook": "Facebook",
        "x": "X",
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
        "instagram": "Instagram",
        "youtube": "YouTube",
    }

    def clean(self) -> None:
        super().clean()
        page = self.signup_page
        if page is not None and not page.path.startswith(self.site.root_page.path):
            raise ValidationError(
                {
                    "signup_page": _(
                        "Cette page est sur le site d'une autre association : choisissez la page "
                        "d'adhésion de ce site."
                    )
                }
            )

    def to_site_config(self) -> SiteConfig:
        signup = self.signup_page.specific.full_url if self.signup_page_id else ""
        # The association's own audience counter on the CMS (cms.audience), unless
        # RELAIS_COUNTER=0
        counter = (
            Association.for_site(self.site_id).counter_url
            if getattr(settings, "RELAIS_COUNTER", False)
            else ""
        )
        return SiteConfig(
            name=self.name,
            tagline=self.tagline,
            description=self.description,
            signup_url=signup or "",
            signup_label=self.signup_label,
            contact_email=self.contact_email,
            address=self.address,
            networks={
                label: getattr(self, f"{key}_url")
                for key, label in self.NETWORK_LABELS.items()
                if getattr(self, f"{key}_url")
            },
            counter_url=counter,
            lang=self.lang,
            **{k: v for extra in SITE_CONFIG_FIELDS for k, v in extra(self).items()},
        )


class RateCounter(models.Model):
    """One rate-limit window of one keyed hash (:mod:`cms.core.ratelimit`): how many attempts
    were counted in it and when it ends. The key is an HMAC of the address, never the address;
    rows whose window has ended are purged by the worker's clock."""

    key = models.CharField(max_length=80, unique=True)
    window_end = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de limite")
        verbose_name_plural = _("compteurs de limite")

    def __str__(self) -> str:
        return f"{self.key}: {self.count} → {self.window_end:%Y-%m-%d %H:%M:%S}"
