"""Load the demo association from ``cms/demo/data/demo.yaml`` and its pictures.

The demo is data, not code: edit the YAML to change it. Dates are relative to the day it is
loaded ("-12d 09:30" = twelve days ago at 09:30, "+21d 19:00" = in three weeks), so upcoming
events stay upcoming. Items are published through Wagtail's own publish action (revisions,
signals, export), like an editor would. Loading twice changes nothing: existing items are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import Group as UserGroup
from django.contrib.auth.models import User
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.content.models import ITEM_MODELS, HomePage, InfoPage, SectionIndexPage
from cms.core import wagtail_names
from cms.core.models import AssociationSettings
from cms.members.models import SignUpFormField, SignUpPage
from cms.publishing.signal_handlers import suspended
from cms.taxonomy.models import ClassYear, Contributor, Group
from relais import sections

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
TYPE_TO_SECTION = {
    "news": sections.NEWS.key,
    "career": sections.CAREERS.key,
    "school": sections.SCHOOL_LIFE.key,
    "event": sections.EVENTS.key,
    "association": sections.ASSOCIATION.key,
}
RELATIVE = re.compile(r"^([+-])(\d+)d(?:\s+(\d{1,2}):(\d{2}))?$")
# Name, e-mail, school, class year, wishes and consent are built into every sign-up page
# (cms.members.forms): the demo adds one question of its own, as an association would.
SIGNUP_FIELDS = [
    {
        "label": "Comment avez-vous connu l'association ?",
        "field_type": "singleline",
        "required": False,
    },
]


def relative_datetime(value: Any, today: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    m = RELATIVE.match(str(value).strip())
    if not m:
        raise CommandError(f"Date {value!r}: write '-12d 09:30' or '+21d 19:00'.")
    sign, days, hour, minute = m.groups()
    day = today + dt.timedelta(days=int(days) * (1 if sign == "+" else -1))
    naive = dt.datetime.combine(day, dt.time(int(hour or 9), int(minute or 0)))
    return timezone.make_aware(naive)


class Command(BaseCommand):
    help = "Load the demo association (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(DATA_DIR / "demo.yaml"))
        parser.add_argument(
            "--no-export",
            action="store_true",
            help="Only fill the database; do not write content/ nor build.",
        )

    def handle(self, *args, data: str, no_export: bool = False, **options):
        path = Path(data)
        try:
            self.data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"Cannot read the demo data {path}: {exc}") from exc
        self.data_dir = path.parent
        self.today = timezone.localdate()
        with transaction.atomic(), suspended():
            home = self.site_tree()
            self.site = Site.objects.get(root_page=home)
            self.users()
            self.taxonomy()
            self.images: dict[str, Any] = {}
            indexes = self.section_indexes(home)
            self.info_pages(home)  # before the sign-up page, which links to the privacy page
            signup = self.signup_page(home)
            self.association(home, signup)
            created = self.items(indexes)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {created} new item(s)."))
        # the federation around it: a union, two more associations, the pool
        call_command("load_demo_federation", "--no-export", stdout=self.stdout)
        if not no_export:
            call_command("export_content", build=True, stdout=self.stdout)
            call_command("load_demo_stats", stdout=self.stdout)

    # -- structure -----------------------------------------------------------------------------

    def site_tree(self) -> HomePage:
        home = HomePage.objects.first()
        if home:
            return home
        root = Page.get_first_root_node()
        name = self.data["association"]["name"]
        home = root.add_child(instance=HomePage(title=name, slug="accueil"))
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        if site:
            site.root_page, site.site_name = home, name
            site.save()
        else:
            Site.objects.create(
                hostname="127.0.0.1",
                port=8000,
                root_page=home,
                is_default_site=True,
                site_name=name,
            )
        if old_root and old_root.pk != home.pk and not isinstance(old_root.specific, HomePage):
            old_root.delete()  # Wagtail's "Welcome" page
        return home

    def users(self) -> None:
        editors, _ = UserGroup.objects.get_or_create(name=wagtail_names.EDITORS)
        moderators, _ = UserGroup.objects.get_or_create(name=wagtail_names.MODERATORS)
        for spec in self.data.get("users", []):
            user, created = User.objects.get_or_create(
                username=spec["username"],
                defaults={
                    "first_name": spec.get("first_name", ""),
                    "last_name": spec.get("last_name", ""),
                    "email": spec.get("email", ""),
                },
            )
            if not created:
                continue
            user.set_password(spec["password"])
            user.is_superuser = user.is_staff = spec.get("role") == "admin"
            user.save()
            if spec.get("role") == "editor":
                user.groups.add(editors)
            elif spec.get("role") == "moderator":
                user.groups.add(moderators)

    def taxonomy(self) -> None:
        for spec in self.data.get("class_years", []):
            ClassYear.objects.get_or_create(
                site=self.site, year=spec["year"], defaults={"name": spec.get("name") or ""}
            )
        for spec in self.data.get("groups", []):
            Group.objects.get_or_create(
                site=self.site,
                name=spec["name"],
                defaults={
                    "kind": spec.get("kind", "regional"),
                    "description": spec.get("description", ""),
                },
            )
        for spec in self.data.get("contributors", []):
            year = self.terms(ClassYear).filter(year=spec.get("class_year")).first()
            Contributor.objects.get_or_create(
                site=self.site,
                name=spec["name"],
                defaults={"class_year": year, "role": spec.get("role", "")},
            )

    def terms(self, model: type[Any]) -> Any:
        """The class years, groups or contributors of the demo association."""
        return model.objects.filter(site=self.site)

    def section_indexes(self, home: HomePage) -> dict[str, SectionIndexPage]:
        indexes = {}
        for key, section in sections.SECTIONS.items():
            index = SectionIndexPage.of(home, key)
            if index is None:
                index = home.add_child(
                    instance=SectionIndexPage(
                        title=section.label_fr, slug=key, section=key, intro=section.description_fr
                    )
                )
                index.save_revision().publish()
            indexes[key] = index
        return indexes

    def signup_page(self, home: HomePage) -> SignUpPage:
        spec = self.data["signup_page"]
        privacy = InfoPage.objects.child_of(home).filter(slug=spec.get("privacy_page", "")).first()
        page = SignUpPage.objects.child_of(home).first()
        if page:
            if privacy and not page.privacy_page_id:
                page.privacy_page = privacy
                page.save_revision().publish()
            return page
        page = SignUpPage(
            title=spec["title"],
            slug=spec.get("slug", "adherer"),
            intro=spec.get("intro", ""),
            thank_you_text=spec.get("thank_you_text", ""),
            privacy_page=privacy,
            schools=spec.get("schools", ""),
            to_address=self.data["association"].get("contact_email", ""),
            from_address=self.data["association"].get("contact_email", ""),
            subject="Nouvelle demande d'adhésion",
        )
        for i, field in enumerate(SIGNUP_FIELDS):
            page.form_fields.add(SignUpFormField(sort_order=i, **field))
        home.add_child(instance=page)
        page.save_revision().publish()
        return page

    def info_pages(self, home: HomePage) -> None:
        for spec in self.data.get("info_pages", []):
            if InfoPage.objects.child_of(home).filter(slug=spec["slug"]).exists():
                continue
            page = InfoPage(
                title=spec["title"], slug=spec["slug"], body=self.stream(spec.get("body", []))
            )
            home.add_child(instance=page)
            page.save_revision().publish()

    def association(self, home: HomePage, signup: SignUpPage) -> None:
        site = Site.objects.get(root_page=home)
        config = AssociationSettings.for_site(site)
        spec = self.data["association"]
        config.name = spec["name"]
        for field in ("tagline", "description", "contact_email", "address", "signup_label"):
            setattr(config, field, spec.get(field, "") or getattr(config, field))
        for network, url in (spec.get("networks") or {}).items():
            setattr(config, f"{network}_url", url)
        config.signup_page = signup
        config.save()

    # -- items ---------------------------------------------------------------------------------

    def image(self, spec: dict[str, Any]) -> Any:
        from wagtail.images import get_image_model

        name = spec["file"]
        if name in self.images:
            return self.images[name]
        Image = get_image_model()
        title = Path(name).stem.replace("-", " ").capitalize()
        image = Image.objects.filter(title=title).first()
        if image is None:
            source = self.data_dir / name
            if not source.is_file():
                raise CommandError(f"Demo image {source} is missing.")
            with source.open("rb") as fh:
                image = Image(title=title, file=ImageFile(fh, name=source.name))
                image.save()
        self.images[name] = image
        return image

    def stream(self, blocks: list[dict[str, Any]]) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for block in blocks:
            ((kind, value),) = block.items()
            if kind == "paragraph":
                out.append(("paragraph", RichText(value)))
            elif kind == "quote":
                out.append(
                    ("quote", {"text": value["text"], "attribution": value.get("attribution", "")})
                )
            elif kind == "image":
                out.append(
                    (
                        "image",
                        {
                            "image": self.image(value),
                            "alt": value["alt"],
                            "caption": value.get("caption", ""),
                        },
                    )
                )
            elif kind == "embed":
                from wagtail.embeds.blocks import EmbedValue

                out.append(("embed", EmbedValue(value)))
            else:
                raise CommandError(f"Unknown block type {kind!r} in the demo data.")
        return out

    def items(self, indexes: dict[str, SectionIndexPage]) -> int:
        created = 0
        specs = sorted(
            self.data.get("items", []), key=lambda s: relative_datetime(s["published"], self.today)
        )
        for spec in specs:
            section = TYPE_TO_SECTION[spec["type"]]
            model = ITEM_MODELS[section]
            if model.objects.child_of(indexes[section]).filter(slug=spec["slug"]).exists():
                continue
            page = model(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                body=self.stream(spec.get("body", [])),
            )
            if spec.get("image"):
                page.hero_image = self.image(spec["image"])
                page.hero_alt = spec["image"]["alt"]
                page.hero_caption = spec["image"].get("caption", "")
            if spec.get("career"):
                career = spec["career"]
                page.alumnus_name = career["alumnus_name"]
                page.alumnus_class_year = (
                    self.terms(ClassYear).filter(year=career.get("alumnus_class_year")).first()
                )
                for field in ("position", "organisation", "sector"):
                    setattr(page, field, career.get(field, ""))
            if spec.get("event"):
                event = spec["event"]
                page.start = relative_datetime(event["start"], self.today)
                page.end = relative_datetime(event["end"], self.today) if event.get("end") else None
                page.location = event.get("location", "")
                page.organiser_class_year = (
                    self.terms(ClassYear).filter(year=event.get("organiser_class_year")).first()
                )
                page.organiser_group = (
                    self.terms(Group).filter(name=event.get("organiser_group")).first()
                )
                page.registration_url = event.get("registration_url", "")
            indexes[section].add_child(instance=page)
            page.tags.add(*spec.get("tags", []))
            page.class_years.set(self.terms(ClassYear).filter(year__in=spec.get("class_years", [])))
            page.groups.set(self.terms(Group).filter(name__in=spec.get("groups", [])))
            page.contributors.set(
                self.terms(Contributor).filter(name__in=spec.get("contributors", []))
            )
            published = relative_datetime(spec["published"], self.today)
            revision = page.save_revision()
            revision.publish()
            model.objects.filter(pk=page.pk).update(
                first_published_at=published, last_published_at=published
            )
            created += 1
        return created
