# ruff: noqa: S311  (a seeded simulation of readers, not cryptography)
"""Demo statistics, made by the real code paths rather than written by hand.

:func:`load` runs a few months of an association's life in about twenty seconds:

1. the library's fakes start on loopback, and the demo accounts are connected to them through
   the real connect flows (:mod:`cms.stats.demo.networks`);
2. every live item is syndicated through the real delivery tasks (``items_live`` handler,
   ``deliver_task``), exactly as after a publish;
3. readers react on the fakes: their counters (likes, shares, views, clicks…) rise round after
   round, randomly but from a fixed seed, fast after a post and slowly later; after each round
   the real pull task (:func:`cms.stats.pulling.pull`) reads them back. Instagram's statistics
   are refused (no ``instagram_manage_insights`` permission), as they often are: they show as
   unavailable, never as zero;
4. readers follow the posted links: visits through the real counter view, with the UTM tags the
   networks received; some sign up through the real sign-up form, with that attribution;
5. the fakes stop, and the accounts are switched off and marked as demo accounts to reconnect,
   so that nothing is ever sent to a server that no longer exists; the addresses the fakes
   made up for the accounts' profiles and posts are forgotten (they would lead to real
   networks, where those ids are someone else's or nothing).

**Dates.** Everything happens now, but the items were published over the last six months.
Only the statistics' own timestamps are moved back, after the fact, to where they belong: a
post's ``TrackedPost.posted_at`` to its item's publication date, each reading's
``MetricSample.taken_at`` (and ``last_pulled_at``) to the moment of its round (1 hour, 1, 3, 7,
14, 30, 60 and 90 days after the post), each day of visits' ``PageViewCount.day``, and each
sign-up's ``created_at``/``consented_at`` and touch days. The ledger (``Delivery``) keeps its
real times. Loading again does nothing once demo accounts exist.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from cms.content.models import ItemPage
from cms.members.models import SignUpPage
from cms.publishing.models import ExportRecord
from cms.social.models import Delivery, SocialAccount
from cms.social.signal_handlers import on_items_live
from syndication.ledger import State

from ..models import MetricSample, TrackedPost
from ..pulling import pull, track_new_posts
from . import networks, visitors

logger = logging.getLogger(__name__)

DEMO_SUFFIX = " (démo)"
DEMO_MESSAGE = (
    "Compte de démonstration : il était relié à un faux serveur local, arrêté depuis. "
    "Connectez le vrai compte de l'association dans Paramètres → Réseaux."
)
#: Readings after each post (the rounds), and the share of its final reactions reached then.
ROUNDS = [
    (dt.timedelta(hours=1), 0.12),
    (dt.timedelta(days=1), 0.5),
    (dt.timedelta(days=3), 0.75),
    (dt.timedelta(days=7), 0.88),
    (dt.timedelta(days=14), 0.95),
    (dt.timedelta(days=30), 0.99),
    (dt.timedelta(days=60), 1.0),
    (dt.timedelta(days=90), 1.0),
]
#: Typical final numbers of a post of average interest, per network.
SCALE = {
    "linkedin": {
        "impressions": 1400,
        "reach": 900,
        "likes": 38,
        "comments": 5,
        "shares": 4,
        "clicks": 55,
    },
    "facebook": {
        "impressions": 800,
        "reach": 600,
        "likes": 24,
        "comments": 4,
        "shares": 3,
        "clicks": 30,
    },
    "x": {"impressions": 600, "likes": 12, "shares": 3, "comments": 2, "quotes": 1, "saves": 2},
    "instagram": {
        "impressions": 700,
        "reach": 500,
        "likes": 45,
        "comments": 3,
        "saves": 4,
        "shares": 2,
    },
    "mastodon": {"likes": 14, "shares": 6, "comments": 2},
}
#: Visits to the site per post of average interest, per network.
VISITS = {"linkedin": 16, "facebook": 10, "x": 6, "instagram": 3, "mastodon": 7}
FIRST = [
    "Camille",
    "Léa",
    "Hugo",
    "Manon",
    "Lucas",
    "Chloé",
    "Nathan",
    "Inès",
    "Théo",
    "Jade",
    "Louis",
    "Sarah",
    "Mathis",
    "Emma",
    "Noé",
    "Alice",
    "Jules",
    "Zoé",
    "Adam",
    "Lina",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
]


def already_loaded() -> bool:
    return SocialAccount.objects.filter(demo=True).exists()


class DemoStats:
    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.now = timezone.now()

    # -- 1 and 2: accounts, posts ------------------------------------------------------------

    def items(self) -> list[ItemPage]:
        live = ExportRecord.objects.filter(withdrawn=False, live_at__isnull=False)
        pages = ItemPage.objects.live().filter(pk__in=live.values("page_id")).specific()
        return sorted(
            (p for p in pages if p.first_published_at and p.first_published_at < self.now),
            key=lambda p: p.first_published_at,
        )

    def syndicate(self, items: list[ItemPage]) -> None:
        """What the build's ``items_live`` signal does for items live for the first time."""
        ids = [p.pk for p in items]
        on_items_live(sender=ExportRecord, page_ids=ids, first_live_ids=ids)

    def date_posts(self, items: list[ItemPage]) -> list[TrackedPost]:
        published = {p.pk: p.first_published_at for p in items}
        track_new_posts(self.now)
        tracked = list(
            TrackedPost.objects.filter(delivery__page_id__in=published).select_related(
                "delivery__account"
            )
        )
        for post in tracked:
            post.posted_at = published[post.delivery.page_id] + dt.timedelta(
                minutes=self.rng.randrange(5, 90)
            )
            post.save(update_fields=["posted_at"])
        return tracked

    # -- 3: reactions, read back -------------------------------------------------------------

    def interest(self, items: list[ItemPage]) -> dict[int, float]:
        """How much each item interests readers (events and career stories a bit more)."""
        boost = {"evenements": 1.3, "parcours": 1.2}
        return {
            p.pk: math.exp(self.rng.gauss(0, 0.55)) * boost.get(p.section_key, 1.0) for p in items
        }

    def react_and_read(
        self, fakes: dict[str, Any], tracked: list[TrackedPost], interest: dict[int, float]
    ) -> None:
        finals = {}
        for post in tracked:
            network = post.delivery.network
            level = interest[post.delivery.page_id] * self.rng.uniform(0.7, 1.3)
            finals[post.pk] = {
                m: round(v * level * self.rng.uniform(0.8, 1.2)) for m, v in SCALE[network].items()
            }
        reached: dict[int, float] = defaultdict(float)
        for offset, share in ROUNDS:
            due = [p for p in tracked if p.posted_at + offset <= self.now]
            if not due:
                continue
            for post in due:
                fake = fakes[post.delivery.network]
                step = share - reached[post.pk]
                amounts = {m: round(v * step) for m, v in finals[post.pk].items()}
                if any(amounts.values()):
                    fake.engage(post.delivery.remote_id, **amounts)
                reached[post.pk] = share
            last = MetricSample.objects.aggregate(last=Max("pk"))["last"] or 0
            pull(
                self.now,
                [TrackedPost.objects.select_related("delivery__account").get(pk=p.pk) for p in due],
            )
            for post in due:  # the readings of this round, dated back to their moment
                when = post.posted_at + offset
                MetricSample.objects.filter(pk__gt=last, delivery_id=post.delivery_id).update(
                    taken_at=when
                )
                TrackedPost.objects.filter(pk=post.pk).update(last_pulled_at=when)

    # -- 4: visits and sign-ups --------------------------------------------------------------

    def read_site(
        self, fakes: dict[str, Any], tracked: list[TrackedPost], interest: dict[int, float]
    ) -> tuple[int, list[tuple[TrackedPost, str]]]:
        browser = visitors.client()
        counted, arrivals = 0, []
        for post in tracked:
            fake = fakes[post.delivery.network]
            link = next(p["link"] for p in fake.posts if p["id"] == post.delivery.remote_id)
            path, utm = visitors.landing(link)
            total = round(
                VISITS[post.delivery.network]
                * interest[post.delivery.page_id]
                * self.rng.uniform(0.5, 1.5)
            )
            for offset, share in (
                (dt.timedelta(hours=3), 0.55),
                (dt.timedelta(days=2), 0.3),
                (dt.timedelta(days=9), 0.15),
            ):
                when = post.posted_at + offset
                n = round(total * share)
                if n and when <= self.now:
                    counted += visitors.visit(browser, path, utm, n, timezone.localdate(when))
            if total:
                arrivals.extend([(post, link)] * total)
        # readers who come straight to the site (bookmarks, search engines)
        for post in self.rng.sample(tracked, min(len(tracked), 40)):
            item_path = f"/{post.delivery.item_key.split('#')[0]}/"
            day = timezone.localdate(post.posted_at + dt.timedelta(days=self.rng.randrange(1, 20)))
            if day <= timezone.localdate(self.now):
                counted += visitors.visit(browser, item_path, {}, self.rng.randrange(1, 6), day)
        return counted, arrivals

    def sign_ups(self, arrivals: list[tuple[TrackedPost, str]], count: int) -> int:
        page = SignUpPage.objects.live().first()
        if page is None or not arrivals:
            return 0
        path = page.get_url_parts()[2]
        done = 0
        for i in range(count):
            person = self.person(i)
            if i % 5 == 4:  # someone who came by themselves
                query: dict[str, str] = {}
                when = self.now - dt.timedelta(
                    days=self.rng.randrange(1, 150), minutes=self.rng.randrange(0, 600)
                )
            else:
                post, link = self.rng.choice(arrivals)
                _path, utm = visitors.landing(link)
                query = {**utm, "item": post.delivery.item_key.split("#")[0]}
                when = post.posted_at + dt.timedelta(hours=self.rng.randrange(2, 240))
            when = min(when, self.now - dt.timedelta(minutes=5))
            signup = visitors.sign_up(path, person, query, f"10.20.{i // 200}.{i % 200 + 1}")
            visitors.date_signup(signup, when)
            done += 1
        return done

    def person(self, i: int) -> dict[str, Any]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        wishes = self.rng.choice(
            [["membership"], ["membership", "news"], ["news"], ["membership", "ambassador"]]
        )
        slug = f"{first}.{last}".lower().translate(str.maketrans("éèëàïç", "eeeaic"))
        return {
            "name": f"{first} {last}",
            "email": f"{slug}.{i}@demo.example",
            "school": "ENILC",
            "class_year": self.rng.randrange(1995, 2026),
            "wishes": wishes,
        }

    # -- 5: the end ----------------------------------------------------------------------------

    def retire(self, accounts: list[SocialAccount]) -> None:
        """The fakes are gone: the accounts post nothing more, and the addresses the fakes
        made up for their profiles and posts (a real network's address with a made-up id) are
        forgotten, so that nothing links to them."""
        for account in accounts:
            SocialAccount.objects.filter(pk=account.pk).update(
                display_name=(account.display_name + DEMO_SUFFIX)[:150],
                active=False,
                demo=True,
                profile_url="",
                status=SocialAccount.Status.RECONNECT,
                status_message=DEMO_MESSAGE,
            )
        Delivery.objects.filter(account__in=accounts).update(remote_url="")
        TrackedPost.objects.filter(delivery__account__in=accounts).update(
            next_pull_at=None, note=DEMO_MESSAGE
        )

    def run(self) -> str:
        started = time.monotonic()
        site = Site.objects.filter(is_default_site=True).first()
        items = self.items()
        if site is None or not items:
            return "no live item: nothing to syndicate"
        owner = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        accounts: list[SocialAccount] = []
        relais = {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["publishing", "syndication", "maintenance"],
        }
        with (
            override_settings(
                TASKS={
                    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
                    "relais": relais,
                },
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                RELAIS_SOCIAL_DELIVERY={"timeout": 5.0, "max_inline_delay": 0.5, "resume_every": 0},
            ),
            networks.running_fakes() as fakes,
        ):
            try:
                fakes["instagram"].insights_allowed = False
                for name in networks.NETWORKS:
                    accounts.append(networks.connect(name, fakes[name], site, owner))
                self.syndicate(items)
                tracked = self.date_posts(items)
                interest = self.interest(items)
                self.react_and_read(fakes, tracked, interest)
                visits, arrivals = self.read_site(fakes, tracked, interest)
                signups = self.sign_ups(arrivals, count=max(12, len(items) + 6))
            finally:
                self.retire(accounts)
        sent = Delivery.objects.filter(account__in=accounts, state=State.SENT).count()
        logger.info("Demo statistics made in %.1f s", time.monotonic() - started)
        return (
            f"{len(accounts)} demo accounts, {sent} posts, "
            f"{MetricSample.objects.count()} metric samples, {visits} visits, "
            f"{signups} sign-ups in {time.monotonic() - started:.1f} s"
        )


def load(seed: int = 2026) -> str:
    if already_loaded():
        return "already loaded"
    return DemoStats(seed).run()
