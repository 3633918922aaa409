"""What an association watches, and what it found.

- :class:`Source`: a feed, a page without a feed, or a listing page (a school's news page whose
  new links become entries), with what the engine keeps between checks (its conditional-GET
  validators, the keys it already gave, a page's last text) and its health: last success,
  last error in plain words, failures in a row, next check.
- :class:`WatchEntry`: an article found, once per association (its story key is unique in the
  association: what was seen, kept or skipped never comes back), with its score and what the
  editor decided (kept for a draft news item, a discussion or the press review; skipped; later).
- :class:`KeywordRule`: a word that raises (include) or hides (exclude) entries, optionally for
  one language only. The association's sectors of activity count as include words too.
- A source of the federation or of a union may be **shared** with the associations below it
  (:mod:`.sharing`): it is fetched once, and each member stores its entries in its own desk,
  with its own state and scoring; :class:`SourceMute` is a member that turned it off.
- :class:`AlertRule`: what an association wants to be told at once: a watched page that
  changed (any change, or only a change containing a word), or a word found in a new entry of
  any of its sources. :class:`Alert` is one rule matched by one entry (once);
  :class:`AlertFollow` says who follows a rule (or every rule of an association), and
  :class:`AlertPreference` whether they want the daily mail (:mod:`.alerts`).
- :class:`ReviewSchedule`: the weekday and hour at which the association's press review is
  composed by itself (off by default); :class:`ReviewRun` is one week's composition, once per
  association and week (:mod:`.weekly`).

Every row belongs to one association's site (``site_path``, :mod:`cms.federation.scope`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

#: What the story key of a watched page's change contains (:func:`.checking.change_entry`).
CHANGE_MARK = "#changement-"


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", _("flux RSS ou Atom")
        PAGE = "page", _("page suivie (changements du texte)")
        LISTING = "listing", _("page de liste (nouveaux liens)")

    site_path = "site"

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="watch_sources"
    )
    url = models.URLField(_("adresse"), max_length=1000)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.FEED)
    title = models.CharField(_("nom"), max_length=250, blank=True)
    active = models.BooleanField(_("suivie"), default=True)
    shared = models.BooleanField(
        _("partagée avec les associations rattachées"),
        default=False,
        help_text=_(
            "Pour une source de la fédération ou d'une union : lue une seule fois, ses articles "
            "arrivent aussi dans le tri de chaque association rattachée."
        ),
    )
    created_at = models.DateTimeField(_("ajoutée le"), auto_now_add=True)
    # what the engine keeps between checks (relais.watching.cycle.SourceState)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_check = models.DateTimeField(_("prochaine vérification"), null=True, blank=True)
    last_checked = models.DateTimeField(_("dernière vérification"), null=True, blank=True)
    last_success = models.DateTimeField(_("dernier succès"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    last_error_code = models.CharField(max_length=40, blank=True)
    failures = models.PositiveIntegerField(_("échecs de suite"), default=0)
    seen = models.JSONField(default=list, blank=True)  # story keys given, newest first
    last_text = models.TextField(blank=True)  # a page's main text
    last_change = models.TextField(_("dernier changement"), blank=True)  # a page's text diff
    last_change_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("source de veille")
        verbose_name_plural = _("sources de veille")
        ordering = ["title", "url"]
        constraints = [
            models.UniqueConstraint(fields=["site", "url"], name="watch_one_source_per_address")
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def healthy(self) -> bool:
        return self.failures == 0


class WatchEntry(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("à trier")
        KEPT = "kept", _("gardée")
        SKIPPED = "skipped", _("écartée")
        LATER = "later", _("pour plus tard")

    class KeptFor(models.TextChoices):
        DRAFT = "draft", _("brouillon d'actualité")
        DISCUSSION = "discussion", _("discussion")
        REVIEW = "review", _("revue de presse")

    site_path = "site"

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="watch_entries"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="entries"
    )
    link = models.URLField(_("lien"), max_length=2000)
    title = models.CharField(_("titre"), max_length=500)
    summary = models.TextField(_("résumé"), blank=True)
    published = models.DateTimeField(_("publiée le"))
    date_flagged = models.BooleanField(default=False)  # the source gave no usable date
    story_key = models.CharField(max_length=1000)
    language = models.CharField(_("langue"), max_length=8, blank=True)
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.NEW, db_index=True
    )
    kept_for = models.CharField(
        _("gardée pour"), max_length=12, choices=KeptFor.choices, blank=True
    )
    score = models.IntegerField(_("score"), default=0)
    matched = models.JSONField(default=list, blank=True)  # the words that made the score
    created_at = models.DateTimeField(_("trouvée le"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("brouillon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("revue de presse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("entrée de veille")
        verbose_name_plural = _("entrées de veille")
        ordering = ["-score", "-published", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "story_key"], name="watch_one_story_per_site")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_change(self) -> bool:
        """Whether the entry is a watched page's change (its text is the diff)."""
        return CHANGE_MARK in self.story_key


class KeywordRule(models.Model):
    class Kind(models.TextChoices):
        INCLUDE = "include", _("à suivre")
        EXCLUDE = "exclude", _("à écarter")

    site_path = "site"

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="watch_rules"
    )
    word = models.CharField(_("mot ou expression"), max_length=120)
    kind = models.CharField(_("règle"), max_length=10, choices=Kind.choices, default=Kind.INCLUDE)
    language = models.CharField(
        _("langue"),
        max_length=8,
        blank=True,
        choices=[("fr", _("français")), ("en", _("anglais"))],
        help_text=_("Vide : toutes les langues."),
    )

    class Meta:
        verbose_name = _("règle de mots-clés")
        verbose_name_plural = _("règles de mots-clés")
        ordering = ["kind", "word"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "word", "kind", "language"], name="watch_one_rule_per_word"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.word}"


class SourceMute(models.Model):
    """An association that turned off a source shared with it: its entries no longer reach
    that association's desk (what it already has stays)."""

    site_path = "site"

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="watch_mutes"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="mutes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source partagée coupée")
        verbose_name_plural = _("sources partagées coupées")
        constraints = [
            models.UniqueConstraint(fields=["site", "source"], name="watch_one_mute_per_site")
        ]

    def __str__(self) -> str:
        return str(self.source)


class AlertRule(models.Model):
    class Kind(models.TextChoices):
        PAGE = "page", _("une page suivie a changé")
        KEYWORD = "keyword", _("un mot trouvé dans un nouvel article")

    site_path = "site"

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="watch_alert_rules"
    )
    kind = models.CharField(_("alerte"), max_length=10, choices=Kind.choices)
    source = models.ForeignKey(
        Source,
        verbose_name=_("page suivie"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_rules",
    )
    word = models.CharField(
        _("mot ou expression"),
        max_length=120,
        blank=True,
        help_text=_(
            "Pour une page : vide, tout changement ; sinon seulement un changement qui le contient."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("règle d'alerte")
        verbose_name_plural = _("règles d'alerte")
        ordering = ["kind", "word", "pk"]

    def __str__(self) -> str:
        if self.kind == self.Kind.PAGE:
            if self.word:
                return _("« %(source)s » a changé (avec « %(word)s »)") % {
                    "source": self.source,
                    "word": self.word,
                }
            return _("« %(source)s » a changé") % {"source": self.source}
        return _("« %(word)s » dans un nouvel article") % {"word": self.word}


class Alert(models.Model):
    """One rule matched by one entry: made once, when the check cycle stores the entry."""

    site_path = "site"

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="watch_alerts"
    )
    rule = models.ForeignKey(
        AlertRule, verbose_name=_("règle"), on_delete=models.CASCADE, related_name="alerts"
    )
    entry = models.ForeignKey(
        WatchEntry, verbose_name=_("article"), on_delete=models.CASCADE, related_name="alerts"
    )
    created_at = models.DateTimeField(_("levée le"), auto_now_add=True, db_index=True)
    read_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("lue par"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("alerte de veille")
        verbose_name_plural = _("alertes de veille")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "entry"], name="watch_one_alert_per_entry")
        ]

    def __str__(self) -> str:
        return f"{self.rule} : {self.entry}"


class AlertFollow(models.Model):
    """A person who follows a rule of an association, or (``rule`` empty) all its alerts."""

    site_path = "site"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_follows"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(
        AlertRule, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )

    class Meta:
        verbose_name = _("suivi d'alertes")
        verbose_name_plural = _("suivis d'alertes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "rule"],
                condition=models.Q(rule__isnull=False),
                name="watch_follow_rule_once",
            ),
            models.UniqueConstraint(
                fields=["user", "site"],
                condition=models.Q(rule__isnull=True),
                name="watch_follow_site_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.rule or self.site}"


class AlertPreference(models.Model):
    """A person's daily mail of alerts: wanted or not, and the day it last left."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_alert_preference"
    )
    daily_email = models.BooleanField(_("recevoir le courriel quotidien des alertes"), default=True)
    last_digest_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("préférence des alertes")
        verbose_name_plural = _("préférences des alertes")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def for_user(cls, user: Any) -> AlertPreference:
        return cls.objects.get_or_create(user=user)[0]


class ReviewSchedule(models.Model):
    """When the association's weekly press review is composed by itself (``weekday`` empty:
    never, the default)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")
        SUNDAY = 6, _("dimanche")

    site_path = "site"

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="+", editable=False)
    weekday = models.PositiveSmallIntegerField(
        _("jour de la revue de presse"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_(
            "Ce jour-là, la revue de presse est composée en brouillon avec les articles gardés "
            "depuis la précédente. Vide : jamais (vous la composez depuis le tri du jour)."
        ),
    )
    hour = models.PositiveSmallIntegerField(
        _("heure"),
        default=8,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text=_("De 0 à 23."),
    )

    class Meta:
        verbose_name = _("programmation de la revue de presse")
        verbose_name_plural = _("programmations de la revue de presse")

    def __str__(self) -> str:
        return str(self.site)

    @classmethod
    def for_site(cls, site: Site | int) -> ReviewSchedule:
        site_id = site if isinstance(site, int) else site.pk
        return cls.objects.get_or_create(site_id=site_id)[0]


class ReviewRun(models.Model):
    """One week's scheduled press review of one association: claimed by its unique row before
    anything is composed, so that two clocks, or a restarted one, never compose it twice."""

    site_path = "site"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("semaine du"))  # the Monday of the week, local time
    ran_at = models.DateTimeField(_("composée le"))
    entries = models.PositiveIntegerField(_("articles"), default=0)
    review = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("revue de presse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("rédaction prévenue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("revue de presse programmée")
        verbose_name_plural = _("revues de presse programmées")
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["site", "week"], name="watch_one_review_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.week}"
