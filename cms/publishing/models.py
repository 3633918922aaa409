"""What the publishing pipeline remembers: where each item was exported, and each build.

Everything here is per site: each association's site has its own content folder, builds and
counters. ``SiteState`` holds two counters: ``content_version`` goes up with every change written to
``content/``, ``built_version`` records the version the live site was built from. A build task
that finds ``built_version >= content_version`` has nothing to do, so a burst of publishes
costs one or two builds, not one each. ``rebuild_requested_at`` is when a full rebuild was last
asked for in the admin: until a full build starts after it, more requests add nothing.

Who does the work: each worker process registers a :class:`Worker` row and keeps its heartbeat
(:mod:`cms.publishing.workers`); one of them holds the :class:`ClockLease` and runs the periodic
jobs, whose last runs are :class:`ClockJob` rows (:mod:`cms.publishing.clock`). Builds of one
site take turns across all workers: each holds the site's :class:`BuildLease` while it builds
(:mod:`cms.publishing.lease`).
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from relais.deploy import DeployError

#: A site, or its primary key.
SiteRef = Site | int


def _site_id(site: SiteRef) -> int:
    return site if isinstance(site, int) else site.pk


class SiteState(models.Model):
    """The publishing counters of one association's site (one row per Wagtail site)."""

    site_path = "site"

    site = models.OneToOneField(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="publishing_state"
    )
    content_version = models.PositiveBigIntegerField(default=0)
    built_version = models.PositiveBigIntegerField(default=0)
    rebuild_requested_at = models.DateTimeField(
        _("reconstruction complète demandée le"), null=True, blank=True
    )
    # sha256 of the site.yaml last written from the association settings
    site_config_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("état du site")

    def __str__(self) -> str:
        return f"site {self.site_id}: content v{self.content_version}, live v{self.built_version}"

    @classmethod
    def get(cls, site: SiteRef) -> SiteState:
        state, _created = cls.objects.get_or_create(site_id=_site_id(site))
        return state

    @classmethod
    def bump(cls, site: SiteRef) -> int:
        """Record a change to the site's content folder; returns the new content version."""
        site_id = _site_id(site)
        with transaction.atomic():
            cls.objects.get_or_create(site_id=site_id)
            cls.objects.filter(site_id=site_id).update(content_version=F("content_version") + 1)
            return cls.objects.get(site_id=site_id).content_version


class ContentChange(models.Model):
    """A path of a site's content folder written or removed at ``version``, waiting for a
    build of that site."""

    site_path = "site"

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", null=True
    )
    version = models.PositiveBigIntegerField(db_index=True)
    path = models.CharField(max_length=400)

    class Meta:
        verbose_name = _("modification du contenu")

    def __str__(self) -> str:
        return f"v{self.version} {self.path}"

    @classmethod
    def record(cls, site: SiteRef, version: int, *paths: str) -> None:
        site_id = _site_id(site)
        cls.objects.bulk_create(
            [cls(site_id=site_id, version=version, path=p) for p in dict.fromkeys(paths) if p]
        )


class ExportRecord(models.Model):
    """Where a page's content file lives, and when its current version went live."""

    site_path = "site"

    page_id = models.PositiveIntegerField(_("page"), unique=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
    )
    path = models.CharField(_("fichier"), max_length=300)
    assets_dir = models.CharField(_("dossier des images"), max_length=300, blank=True)
    title = models.CharField(_("titre"), max_length=300)
    url = models.URLField(_("adresse sur le site"), max_length=500, blank=True)
    revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(_("publié dans le CMS le"), null=True, blank=True)
    # The moment of the editor's publish action this export carries, the start of the delay to
    # the site: empty when there is none to measure from (the publication date was set in the
    # past by hand, as imported and demo items are, or the same version is exported again).
    publish_requested_at = models.DateTimeField(_("publication demandée le"), null=True, blank=True)
    exported_at = models.DateTimeField(_("exporté le"), default=timezone.now)
    content_version = models.PositiveBigIntegerField(default=0)
    live_at = models.DateTimeField(_("en ligne le"), null=True, blank=True)
    first_live_at = models.DateTimeField(
        _("en ligne pour la première fois le"), null=True, blank=True
    )
    withdrawn = models.BooleanField(_("retiré"), default=False)

    class Meta:
        verbose_name = _("export")
        ordering = ["-exported_at"]

    def __str__(self) -> str:
        return self.path

    @property
    def publish_to_live_seconds(self) -> float | None:
        """From the publish action to the site with this version being live; ``None`` when
        this export carries no publish action (see ``publish_requested_at``)."""
        start, live = self.publish_requested_at, self.live_at
        if start and live and live >= start:
            return (live - start).total_seconds()
        return None


class BuildRecord(models.Model):
    site_path = "site"

    class Status(models.TextChoices):
        RUNNING = "running", _("en cours")
        SUCCEEDED = "succeeded", _("réussie")
        FAILED = "failed", _("échouée")
        ABANDONED = "abandoned", _("interrompue")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    trigger = models.CharField(_("origine"), max_length=300, blank=True)
    content_version = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(_("début"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    seconds = models.FloatField(_("durée (s)"), null=True, blank=True)
    articles = models.PositiveIntegerField(_("articles"), default=0)
    files = models.PositiveIntegerField(_("fichiers"), default=0)
    errors = models.TextField(_("erreurs"), blank=True)
    warnings = models.TextField(_("avertissements"), blank=True)
    kind = models.CharField(
        _("type"), max_length=20, blank=True, help_text=_("complète, incrémentale, ou rien à faire")
    )
    deleted = models.PositiveIntegerField(_("fichiers retirés"), default=0)
    worker = models.CharField(
        _("worker"), max_length=64, blank=True, help_text=_("le processus qui construit")
    )

    class Meta:
        verbose_name = _("construction du site")
        verbose_name_plural = _("constructions du site")
        ordering = ["-started_at"]
        permissions = [("rebuild_site", _("Peut reconstruire tout le site"))]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.get_status_display()}"

    @property
    def deploy_failed(self) -> bool:
        """Whether the build succeeded but its copy to object storage did not finish (the
        next build, or the recovery, finishes it)."""
        return self.status == self.Status.FAILED and self.errors.startswith(DeployError.PREFIX)


class Worker(models.Model):
    """A running worker process (``manage.py relais_worker``), removed when it stops cleanly.

    ``machine`` tells processes of the same machine apart from the others (host name, boot and
    process namespace): there, a worker whose process is gone is dead at once; elsewhere it is
    dead when its heartbeat is older than ``RELAIS_WORKERS["dead_after"]``."""

    class Role(models.TextChoices):
        TASKS = "tasks", _("tâches et horloge")
        CLOCK = "clock", _("horloge seule")

    id = models.CharField(_("identifiant"), max_length=64, primary_key=True)
    host = models.CharField(_("machine"), max_length=255)
    machine = models.CharField(max_length=64)
    pid = models.PositiveIntegerField(_("processus"))
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.TASKS)
    started_at = models.DateTimeField(_("démarré le"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), default=timezone.now)

    class Meta:
        verbose_name = _("worker")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return self.id


class ClockLease(models.Model):
    """The right to run the periodic jobs, held by one worker at a time until ``expires_at``;
    its holder renews it at every tick, another worker takes it once it has expired."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(_("tenue par"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expire le"))

    class Meta:
        verbose_name = _("bail de l'horloge")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '-'} until {self.expires_at:%H:%M:%S}"


class ClockJob(models.Model):
    """When a periodic job last ran, for every worker: a clock that takes over knows it."""

    name = models.CharField(max_length=100, primary_key=True)
    last_run_at = models.DateTimeField(_("dernier lancement"), null=True, blank=True)
    last_run_by = models.CharField(_("lancé par"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("tâche périodique")

    def __str__(self) -> str:
        return self.name


class BuildLease(models.Model):
    """The right to build one site, held by one build at a time across all workers until
    ``expires_at``; the build renews it while it runs. ``token`` names the build that holds it
    (two builds of one worker are told apart), ``builder`` the warm builder that last built the
    site: a warm builder that finds another name there knows the site changed without it."""

    site = models.OneToOneField(
        "wagtailcore.Site", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    holder = models.CharField(_("tenu par"), max_length=64, blank=True)
    token = models.CharField(max_length=32, blank=True)
    expires_at = models.DateTimeField(_("expire le"))
    builder = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("bail de construction")

    def __str__(self) -> str:
        return f"site {self.site_id}: {self.holder or '-'} until {self.expires_at:%H:%M:%S}"
