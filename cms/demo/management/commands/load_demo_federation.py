"""Load the demo federation from ``cms/demo/data/federation.yaml`` (run by ``load_demo``).

Beside the demo's first association (ENILC Alumni, ``load_demo``): the federation, a regional
union and two more associations, each made by the real creation service
(``cms.associations.creation``) with a few items and a secretary (its administrator, password
``relais-demo``); then the pool: items the federation shares, published, and the associations'
answers (adopted by one, declined by another) through the pool's own actions. Loading twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Site
from wagtail.rich_text import RichText

from cms.associations.creation import NewAssociation, create_association
from cms.content.models import ITEM_MODELS, SectionIndexPage
from cms.demo.management.commands.load_demo import DATA_DIR, TYPE_TO_SECTION, relative_datetime
from cms.federation.models import Association, Sector
from cms.pool import adoption
from cms.pool.models import Offer, Share
from cms.publishing.signal_handlers import suspended

PASSWORD = "relais-demo"  # noqa: S105 - the demo's published password


class Command(BaseCommand):
    help = "Load the demo federation: the federation, a union, two associations and the pool."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(DATA_DIR / "federation.yaml"))
        parser.add_argument("--no-export", action="store_true")

    def handle(self, *args, data: str, no_export: bool = False, **options):
        try:
            self.data = yaml.safe_load(Path(data).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"Cannot read the demo federation {data}: {exc}") from exc
        if Association.objects.filter(kind=Association.Kind.FEDERATION).exists():
            self.stdout.write("The demo federation is already loaded.")
            return
        self.today = timezone.localdate()
        self.admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if self.admin is None:
            raise CommandError("Load the demo association first (manage.py load_demo).")
        sectors = self.sectors()
        spec = self.data["federation"]
        federation = create_association(
            NewAssociation(
                name=spec["name"],
                slug=spec["slug"],
                kind=Association.Kind.FEDERATION,
                contact_email=spec.get("contact_email", ""),
            )
        )
        by_slug = {federation.slug: federation}
        for union in self.data.get("unions", []):
            by_slug[union["slug"]] = create_association(
                NewAssociation(
                    name=union["name"],
                    slug=union["slug"],
                    kind=Association.Kind.UNION,
                    parent=federation,
                    contact_email=union.get("contact_email", ""),
                )
            )
        first = self.first_association(by_slug, sectors)
        by_slug[first.slug] = first
        for spec in self.data.get("associations", []):
            made = create_association(
                NewAssociation(
                    name=spec["name"],
                    slug=spec["slug"],
                    parent=by_slug[spec["parent"]],
                    contact_email=spec.get("contact_email", ""),
                    sectors=[sectors[s] for s in spec.get("sectors", [])],
                )
            )
            by_slug[made.slug] = made
            self.secretary(made, spec["secretary"])
            with suspended():
                for item in spec.get("items", []):
                    self.item(made.site, item)
        shared = self.pool(federation, by_slug, sectors)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo federation loaded: {len(by_slug)} associations, {shared} pooled item(s)."
            )
        )
        if not no_export:
            call_command("export_content", build=True, stdout=self.stdout)

    # -- the parts ---------------------------------------------------------------------------

    def sectors(self) -> dict[str, Sector]:
        return {
            s["slug"]: Sector.objects.get_or_create(slug=s["slug"], defaults={"name": s["name"]})[0]
            for s in self.data.get("sectors", [])
        }

    def first_association(
        self, by_slug: dict[str, Association], sectors: dict[str, Sector]
    ) -> Association:
        spec = self.data["first_association"]
        site = Site.objects.filter(is_default_site=True).first()
        first = Association.for_site(site)
        first.slug = spec.get("slug") or first.slug
        first.parent = by_slug[spec["parent"]]
        first.save()
        first.sectors.set([sectors[s] for s in spec.get("sectors", [])])
        return first

    def secretary(self, association: Association, spec: dict[str, str]) -> None:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={"first_name": spec["first_name"], "last_name": spec["last_name"]},
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        user.groups.add(association.administrators)

    def item(self, site: Site, spec: dict[str, Any], publish: bool = True) -> Any:
        section = TYPE_TO_SECTION[spec["type"]]
        index = SectionIndexPage.objects.child_of(site.root_page).get(section=section)
        model = ITEM_MODELS[section]
        page = model(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            body=[("paragraph", RichText(f"<p>{spec.get('body') or spec['summary']}</p>"))],
        )
        if spec.get("alumnus_name"):
            page.alumnus_name = spec["alumnus_name"]
        if spec.get("event"):
            page.start = relative_datetime(spec["event"]["start"], self.today)
            page.location = spec["event"].get("location", "")
        index.add_child(instance=page)
        if publish:
            self.publish(page, spec)
        return page

    def publish(self, page: Any, spec: dict[str, Any]) -> None:
        page.save_revision(user=self.admin).publish(user=self.admin)
        when = relative_datetime(spec["published"], self.today)
        type(page).objects.filter(pk=page.pk).update(
            first_published_at=when, last_published_at=when
        )

    @transaction.atomic
    def pool(
        self,
        federation: Association,
        by_slug: dict[str, Association],
        sectors: dict[str, Sector],
    ) -> int:
        for spec in self.data.get("pool", []):
            page = self.item(federation.site, spec, publish=False)
            share = Share.objects.create(
                page=page, mode=spec["share"]["mode"], updated_by=self.admin
            )
            share.sectors.set([sectors[s] for s in spec["share"].get("sectors", [])])
            with suspended():
                self.publish(page, spec)  # the pool's own signal makes the offers
            for slug in spec.get("adopted_by", []):
                offer = Offer.objects.get(original=page, association=by_slug[slug])
                with suspended():
                    copy = adoption.adopt(offer, self.admin)
                # adopted the morning it was offered, like the demo's other dates: in the past
                when = relative_datetime(spec["published"], self.today) + dt.timedelta(hours=3)
                type(copy).objects.filter(pk=copy.pk).update(
                    first_published_at=when, last_published_at=when
                )
                Offer.objects.filter(pk=offer.pk).update(decided_at=when)
            for slug in spec.get("declined_by", []):
                adoption.decline(
                    Offer.objects.get(original=page, association=by_slug[slug]), self.admin
                )
        return len(self.data.get("pool", []))
