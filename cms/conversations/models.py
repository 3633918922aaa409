"""What the networks said to the association, and what it answered.

* :class:`IncomingMessage`: one reply, comment or mention pulled from one of the association's
  accounts (unique per account by its remote id: pulling twice stores it once), with the desk's
  state (new → assigned → answered, or no answer needed), its assignee and whether it asks a
  question. It belongs to the association of its account (``site``, copied from the account).
* :class:`Answer`: an answer written in the desk; its ledger fields are those of
  :class:`syndication.ledger.LedgerEntry` (:mod:`cms.conversations.ledger`): the intent is
  written before the network is called, so it is posted once.
* :class:`PullCursor`: how far each account was read, and the last error in plain words.
* :class:`DeskPreference`: a person's choice about the daily mail.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.social.models import NETWORK_CHOICES, Delivery, SocialAccount, network_label
from syndication.conversations import COMMENT, MENTION, REPLY, Message
from syndication.ledger import FINAL_STATES
from syndication.ledger import State as LedgerState


class IncomingMessage(models.Model):
    """A reply, comment or mention, as the desk shows it."""

    site_path = "site"

    class Kind(models.TextChoices):
        REPLY = REPLY, _("réponse")
        COMMENT = COMMENT, _("commentaire")
        MENTION = MENTION, _("mention")

    class State(models.TextChoices):
        NEW = "new", _("nouveau")
        ASSIGNED = "assigned", _("attribué")
        ANSWERED = "answered", _("répondu")
        NO_ANSWER_NEEDED = "no_answer_needed", _("pas de réponse nécessaire")

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        SocialAccount,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="incoming_messages",
    )
    network = models.CharField(_("réseau"), max_length=20, choices=NETWORK_CHOICES)
    remote_id = models.CharField(_("identifiant sur le réseau"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    author_name = models.CharField(_("auteur"), max_length=200, blank=True)
    author_handle = models.CharField(_("identifiant de l'auteur"), max_length=200, blank=True)
    author_id = models.CharField(max_length=300, blank=True, editable=False)
    text = models.TextField(_("texte"), blank=True)
    url = models.URLField(_("lien"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("écrit le"), null=True, blank=True)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("publication"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incoming_messages",
    )
    post_remote_id = models.CharField(max_length=300, blank=True, editable=False)
    parent_remote_id = models.CharField(max_length=300, blank=True, editable=False)
    root_remote_id = models.CharField(max_length=300, blank=True, editable=False)
    refs = models.JSONField(default=dict, blank=True, editable=False)
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attribué à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_messages",
    )
    is_question = models.BooleanField(_("question"), default=False)
    first_answer_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    liked_at = models.DateTimeField(_("aimé le"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)
    action_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("message reçu")
        verbose_name_plural = _("messages reçus")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "remote_id"], name="conversations_message_once_per_account"
            )
        ]
        indexes = [models.Index(fields=["site", "state", "created_at"])]

    def __str__(self) -> str:
        who = self.author_name or self.author_handle or "?"
        return f"{self.network_label} · {who} : {self.text[:60]}"

    @property
    def network_label(self) -> str:
        return network_label(self.network)

    @property
    def when(self) -> Any:
        return self.created_at or self.received_at

    @property
    def link(self) -> str:
        """The message on its network (none for a demo account's)."""
        return "" if self.account.demo else self.url

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.NEW, self.State.ASSIGNED)

    def as_message(self) -> Message:
        """The library's :class:`~syndication.conversations.Message` (to answer, like, hide)."""
        return Message(
            network=self.network,
            id=self.remote_id,
            kind=self.kind,
            text=self.text,
            author_handle=self.author_handle,
            author_name=self.author_name,
            author_id=self.author_id,
            created_at=self.created_at,
            post=self.post_remote_id,
            parent=self.parent_remote_id,
            root=self.root_remote_id,
            url=self.url,
            refs=dict(self.refs or {}),
        )


class Answer(models.Model):
    """An answer written in the desk, and its line of the ledger (``item_key``: the library's
    ``reply/<network>/<message id>/<answer key>``)."""

    site_path = "message__site"

    class State(models.TextChoices):
        PENDING = LedgerState.PENDING.value, _("en attente")
        SENDING = LedgerState.SENDING.value, _("envoi en cours")
        SENT = LedgerState.SENT.value, _("publiée")
        FAILED = LedgerState.FAILED.value, _("échec")
        NEEDS_CHECK = LedgerState.NEEDS_CHECK.value, _("à vérifier")
        SKIPPED = LedgerState.SKIPPED.value, _("non publiée")

    message = models.ForeignKey(
        IncomingMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField(_("réponse"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("écrite par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)
    # The ledger (syndication.ledger.LedgerEntry):
    item_key = models.CharField(max_length=400, unique=True, editable=False)
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="+", editable=False
    )
    network = models.CharField(_("réseau"), max_length=20, choices=NETWORK_CHOICES)
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempt = models.PositiveIntegerField(_("tentatives"), default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("mise à jour le"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("dernier envoi le"), null=True, blank=True)
    remote_id = models.CharField(_("identifiant sur le réseau"), max_length=300, blank=True)
    remote_url = models.URLField(_("lien vers la réponse"), max_length=500, blank=True)
    reason = models.TextField(_("détail"), blank=True)
    retry_at = models.DateTimeField(_("prochain essai le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.network_label} · {self.text[:60]}"

    @property
    def network_label(self) -> str:
        return network_label(self.network)

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class PullCursor(models.Model):
    """How far one account's conversations were read, and how the last pull went."""

    site_path = "account__site"

    account = models.OneToOneField(
        SocialAccount, on_delete=models.CASCADE, related_name="pull_cursor"
    )
    cursor = models.TextField(blank=True, editable=False)
    last_pulled_at = models.DateTimeField(_("dernière lecture le"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("dernière lecture réussie le"), null=True, blank=True)
    last_count = models.PositiveIntegerField(_("messages lus"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("lecture des conversations")
        verbose_name_plural = _("lectures des conversations")

    def __str__(self) -> str:
        return str(self.account)


class DeskPreference(models.Model):
    """A person's choices about the desk (the daily mail of what waits for them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_preference"
    )
    daily_email = models.BooleanField(
        _("recevoir le courriel quotidien des conversations"), default=True
    )
    last_digest_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("préférence des conversations")
        verbose_name_plural = _("préférences des conversations")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def for_user(cls, user: Any) -> DeskPreference:
        return cls.objects.get_or_create(user=user)[0]
