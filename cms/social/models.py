"""The association's accounts on the networks, and the ledger of what was posted where.

``SocialAccount`` keeps its credentials encrypted (:mod:`cms.social.crypto`): the column holds a
Fernet token, the plain dict exists only while a client posts. ``Delivery`` is one record of the
ledger (one item × one account × one round: the first post, then each "post again"); the
delivery engine of :mod:`syndication.delivery` drives its state through
:class:`cms.social.ledger.DjangoLedger`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.core import outbound
from syndication.http import Client
from syndication.ledger import FINAL_STATES
from syndication.ledger import State as LedgerState
from syndication.networks import registry
from syndication.registry import Network

from . import conf, crypto
from .messages import explain, technical_detail

NETWORK_CHOICES = [(name, cls.label) for name, cls in registry.items()]


def network_label(name: str) -> str:
    cls = registry.get(name)
    return cls.label if cls is not None else name


class SocialAccount(models.Model):
    """An account of the association on one network, posted to on every first publish."""

    #: How an account belongs to an association (:func:`cms.federation.scope.scoped_objects`).
    site_path = "site"

    class Status(models.TextChoices):
        OK = "ok", _("connecté")
        EXPIRING = "expiring", _("expire bientôt")
        RECONNECT = "reconnect", _("à reconnecter")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="social_accounts",
    )
    network = models.CharField(_("réseau"), max_length=20, choices=NETWORK_CHOICES)
    display_name = models.CharField(_("nom affiché"), max_length=150)
    handle = models.CharField(_("identifiant public"), max_length=200, blank=True)
    #: The account's id on the network (DID, URN, Page id...): public, never a secret.
    remote_id = models.CharField(_("identifiant sur le réseau"), max_length=200, blank=True)
    profile_url = models.URLField(_("profil"), max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="social_accounts",
        help_text=_("Prévenu·e par e-mail quand le compte doit être reconnecté."),
    )
    base_url = models.URLField(
        _("serveur de l'API"),
        max_length=300,
        blank=True,
        help_text=_("Vide : le serveur public du réseau."),
    )
    network_settings = models.JSONField(
        _("réglages du réseau"),
        default=dict,
        blank=True,
        help_text=_("Limites propres au compte, lues à la connexion (serveur Mastodon)."),
    )
    client_options = models.JSONField(default=dict, blank=True, editable=False)
    credentials = models.TextField(_("identifiants chiffrés"), blank=True, editable=False)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.OK)
    status_message = models.TextField(_("message"), blank=True)
    token_expires_at = models.DateTimeField(
        _("le jeton expire le"),
        null=True,
        blank=True,
        help_text=_("Date à laquelle le compte devra être reconnecté (vide : jamais)."),
    )
    active = models.BooleanField(
        _("actif"), default=True, help_text=_("Décoché : rien n'est plus publié sur ce compte.")
    )
    #: Connected by the demo to a local fake server, stopped since: its posts' ids and
    #: addresses are made up, and nothing links to them.
    demo = models.BooleanField(_("compte de démonstration"), default=False, editable=False)
    connected_at = models.DateTimeField(_("connecté le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("compte de réseau social")
        verbose_name_plural = _("comptes de réseaux sociaux")
        ordering = ["site_id", "network", "display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "network", "remote_id"],
                condition=~models.Q(remote_id=""),
                name="social_account_once_per_site",
            )
        ]

    def __str__(self) -> str:
        return f"{self.network_label} · {self.display_name}"

    def __repr__(self) -> str:  # never the credentials
        return f"<SocialAccount {self.pk} {self.network} {self.display_name!r}>"

    @property
    def profile_link(self) -> str:
        """The account's page on the network, to link to (none for a demo account)."""
        return "" if self.demo else self.profile_url

    @classmethod
    def switched_off(cls, site: Any) -> list[SocialAccount]:
        """The site's accounts that post nothing until someone switches them on again in
        Paramètres → Réseaux (and reconnects them if needed)."""
        return list(cls.objects.filter(site=site, active=False).order_by("network", "pk"))

    @property
    def network_label(self) -> str:
        return network_label(self.network)

    # -- credentials ---------------------------------------------------------------------------

    def get_credentials(self) -> dict[str, Any]:
        """The decrypted credentials (raises ``CredentialsUnreadable`` if the key changed)."""
        return crypto.decrypt(self.credentials)

    def set_credentials(self, data: dict[str, Any]) -> None:
        self.credentials = crypto.encrypt(data)

    def store_credentials(self, data: dict[str, Any]) -> None:
        """Save renewed credentials at once (X rotates refresh tokens: losing the new one would
        mean reconnecting)."""
        self.set_credentials(data)
        type(self).objects.filter(pk=self.pk).update(credentials=self.credentials)

    # -- the network ---------------------------------------------------------------------------

    def make_network(self) -> Network:
        """The network with this account's own limits (a Mastodon server's length...)."""
        known = {
            k: v
            for k, v in (self.network_settings or {}).items()
            if hasattr(registry[self.network], k)
        }
        return registry.create(self.network, **known)

    def client(self, **kwargs: Any) -> Client:
        """A client posting as this account; renewed tokens are saved as they come. Its
        requests go through :func:`cms.core.outbound.session` (the server of a Mastodon or
        Bluesky account was typed by a person: https and public addresses only)."""
        kwargs.setdefault("timeout", conf.delivery()["timeout"])
        kwargs.setdefault("session", outbound.session())
        return self.make_network().client(
            self.get_credentials(),
            base_url=self.base_url or None,
            on_credentials_changed=self.store_credentials,
            **{**(self.client_options or {}), **kwargs},
        )

    def public_identity(self) -> dict[str, str]:
        """The account-specific, non-secret fields of a request body (Bluesky's repo DID,
        LinkedIn's author URN): what a dry run shows."""
        if self.network == "bluesky" and self.remote_id:
            return {"did": self.remote_id}
        if self.network == "linkedin" and self.remote_id:
            return {"author": self.remote_id}
        return {}

    # -- status --------------------------------------------------------------------------------

    def current_status(self, now: dt.datetime | None = None) -> str:
        """``status``, with "expires soon" when the token expires within a week."""
        if self.status == self.Status.RECONNECT:
            return self.status
        now = now or timezone.now()
        if self.token_expires_at is not None and self.token_expires_at - now < conf.EXPIRY_WARNING:
            return self.Status.EXPIRING
        return self.Status.OK

    def get_current_status_display(self) -> str:
        return str(self.Status(self.current_status()).label)

    def refresh_status(self) -> None:
        """Store "expires soon" (or back to "connected") when the date says so."""
        status = self.current_status()
        if status != self.status:
            self.status = status
            type(self).objects.filter(pk=self.pk).update(status=status)

    @property
    def can_post(self) -> bool:
        return self.active and self.status != self.Status.RECONNECT and bool(self.credentials)


class Delivery(models.Model):
    """One record of the ledger: the post of one item on one account (one round of it).

    The ledger fields (``item_key`` to ``retry_at``) are those of
    :class:`syndication.ledger.LedgerEntry`; ``item_key`` is ``<section>/<slug>`` for the first
    post and ``<section>/<slug>#<round>`` for each "post again".
    """

    #: A post belongs to the association of its account.
    site_path = "account__site"

    class State(models.TextChoices):
        PENDING = LedgerState.PENDING.value, _("en attente")
        SENDING = LedgerState.SENDING.value, _("envoi en cours")
        SENT = LedgerState.SENT.value, _("publié")
        FAILED = LedgerState.FAILED.value, _("échec")
        NEEDS_CHECK = LedgerState.NEEDS_CHECK.value, _("à vérifier")
        SKIPPED = LedgerState.SKIPPED.value, _("non publié")

    account = models.ForeignKey(
        SocialAccount,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    round = models.PositiveSmallIntegerField(_("publication n°"), default=1)
    item_key = models.CharField(_("article (clé)"), max_length=300)
    network = models.CharField(_("réseau"), max_length=20, choices=NETWORK_CHOICES)
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempt = models.PositiveIntegerField(_("tentatives"), default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("mis à jour le"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("dernier envoi le"), null=True, blank=True)
    remote_id = models.CharField(_("identifiant sur le réseau"), max_length=300, blank=True)
    remote_url = models.URLField(_("lien vers la publication"), max_length=500, blank=True)
    reason = models.TextField(_("détail"), blank=True)
    retry_at = models.DateTimeField(_("prochain essai le"), null=True, blank=True)
    # Not part of the ledger protocol:
    post_at = models.DateTimeField(_("publier à partir du"), null=True, blank=True)
    text = models.TextField(_("texte publié"), blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("publication sur un réseau")
        verbose_name_plural = _("publications sur les réseaux")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["item_key", "account"], name="social_delivery_once")
        ]
        indexes = [models.Index(fields=["page", "account", "round"])]

    def __str__(self) -> str:
        return f"{self.item_key} → {self.account}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def can_retry(self) -> bool:
        """Failed, or uncertain: a person may ask for a new try (which looks first)."""
        return self.state in (self.State.FAILED, self.State.NEEDS_CHECK) or (
            self.state == self.State.PENDING and self.retry_at is not None
        )

    @property
    def link(self) -> str:
        """The post on its network, to link to: none for a demo account's, whose ids were made
        up by a fake server (a real network's address with them leads to someone else's post,
        or nowhere)."""
        return "" if self.account.demo else self.remote_url

    @property
    def explanation(self) -> str:
        """Why the post is in its state and what to do, when the state does not say it all."""
        return explain(self)

    @property
    def technical_detail(self) -> str:
        return technical_detail(self)


class PostingSlot(models.Model):
    """A time the association posts at on one account: a weekday and a time of day (local).
    "Prochain créneau libre" in the Social tab puts a post at the next one not already taken
    (:func:`cms.social.slots.next_free_slot`)."""

    site_path = "account__site"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")
        SUNDAY = 6, _("dimanche")

    account = models.ForeignKey(
        SocialAccount,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="slots",
    )
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    time = models.TimeField(_("heure"))

    class Meta:
        verbose_name = _("créneau de publication")
        verbose_name_plural = _("créneaux de publication")
        ordering = ["account_id", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "weekday", "time"], name="social_slot_once_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.time:%H:%M}"
