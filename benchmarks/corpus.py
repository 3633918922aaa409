"""A generator of realistic content folders for the benchmarks.

``python -m benchmarks.corpus --n 10000 --out benchmarks/corpora/10000`` writes N items in the
five sections, in French (80 %) and English, with 50 tags, 40 class years, 20 groups and 200
contributors, a third of them with a picture (and its link-card crop, as the CMS exports them),
events with dates, career stories with their portrait fields, bodies of 150 to 600 words with
subheadings, lists, quotes and links. The same seed gives the same corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import re
import unicodedata
from pathlib import Path

from PIL import Image

from relais.contentfile import SITE_TIMEZONE, CareerInfo, ContentItem, EventInfo, dump
from relais.sections import SECTIONS
from relais.siteconfig import SiteConfig, write_site_config

FR = (
    "ingénieur ingénieure promotion association école réseau entreprise industrie énergie "
    "hydrogène ferroviaire mobilité numérique données recherche laboratoire projet équipe "
    "carrière parcours direction conseil innovation usine chantier territoire transition "
    "climat étudiants campus rencontre conférence afterwork gala mentorat ambassadeur emploi "
    "stage alternance diplômés bénévoles région international partenariat conception essai "
    "prototype production qualité sécurité logistique bâtiment eau santé formation "
    "avenir"
).split()
EN = (
    "engineer alumni network company industry energy hydrogen railway mobility digital data "
    "research laboratory project team career leadership innovation plant site region climate "
    "students campus meeting conference reunion mentoring ambassador jobs internship "
    "partnership design testing prototype production quality safety logistics health"
).split()
TAGS = [
    f"{w}"
    for w in (
        "hydrogène ferroviaire mentorat numérique gala emploi recherche énergie "
        "climat mobilité international entrepreneuriat diversité bénévolat "
        "industrie santé construction eau data IA robotique aéronautique "
        "automobile nucléaire solaire éolien batteries chimie matériaux "
        "biotech finance conseil startups alternance stages afterwork "
        "conférence webinaire campus associations sport culture solidarité "
        "égalité handicap territoires ville logistique sécurité cyber "
        "formation"
    ).split()
][:50]
FIRST = (
    "Léa Hugo Camille Louis Chloé Jules Inès Arthur Manon Lucas Sarah Adam Emma Paul Zoé "
    "Nathan Alice Tom Julie Karim Nadia Yann Sofia Marc"
).split()
LAST = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre "
    "Mercier Blanc Guerin Boyer Garnier Chevalier Francois"
).split()


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", folded.lower())).strip("-")


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, words: list[str], slug: str, others: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(3, 8)):
        if rng.random() < 0.35:
            parts.append("## " + sentence(rng, words, rng.randint(3, 6))[:-1])
        kind = rng.random()
        if kind < 0.15:
            parts.append(
                "\n".join(
                    f"- {sentence(rng, words, rng.randint(4, 9))}" for _ in range(rng.randint(2, 5))
                )
            )
        elif kind < 0.25:
            parts.append(
                f"> {sentence(rng, words, rng.randint(8, 20))}\n>\n> — "
                f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            )
        else:
            text = " ".join(
                sentence(rng, words, rng.randint(6, 18)) for _ in range(rng.randint(2, 6))
            )
            if others and rng.random() < 0.2:
                text += (
                    f" Lire aussi [cet article](https://alumni.example.org/{rng.choice(others)}/)."
                )
            parts.append(text)
    return "\n\n".join(parts)


def picture(rng: random.Random, size: tuple[int, int]) -> bytes:
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def generate(n: int, out: Path, seed: int = 42) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    write_site_config(
        out,
        SiteConfig(
            name="Fédération Exemple",
            tagline="Les ingénieurs en réseau",
            signup_url="https://cms.example.org/adherer/",
        ),
    )
    years = [str(y) for y in range(1985, 2025)]
    groups = [
        f"Groupe {c}"
        for c in (
            "Paris",
            "Lyon",
            "Lille",
            "Nantes",
            "Bordeaux",
            "Toulouse",
            "Marseille",
            "Strasbourg",
            "Rennes",
            "Grenoble",
            "Québec",
            "Londres",
            "Berlin",
            "Madrid",
            "Bruxelles",
            "Genève",
            "Montréal",
            "Singapour",
            "New York",
            "Dakar",
        )
    ]
    people = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}" for i in range(200)]
    hero = picture(rng, (1200, 800))
    social = picture(rng, (1200, 630))
    start = dt.datetime(2016, 1, 1, 8, tzinfo=SITE_TIMEZONE)
    sections = list(SECTIONS)
    urls: list[str] = []
    for i in range(n):
        section = sections[i % len(sections)]
        english = rng.random() < 0.2
        words = EN if english else FR
        slug = ascii_slug(f"{section[:4]}-{i:06d}-{rng.choice(words)}")
        date = start + dt.timedelta(
            minutes=int(i * 10 * 365 * 24 * 60 / max(n, 1)), seconds=rng.randrange(60)
        )
        item = ContentItem(
            title=sentence(rng, words, rng.randint(4, 11))[:-1],
            date=date,
            slug=slug,
            section=section,
            summary=sentence(rng, words, rng.randint(12, 30)),
            tags=rng.sample(TAGS, rng.randint(0, 3)),
            class_years=rng.sample(years, rng.randint(0, 2)),
            groups=rng.sample(groups, 1) if rng.random() < 0.3 else [],
            contributors=rng.sample(people, rng.randint(0, 2)),
            lang="en" if english else "fr",
            canonical_url=f"https://alumni.example.org/{section}/{slug}/",
            body=body(rng, words, slug, urls[-50:]),
        )
        if rng.random() < 0.33:
            folder = out / section / slug
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "hero.jpg").write_bytes(hero)
            (folder / "social-1200x630.jpg").write_bytes(social)
            item.image, item.image_social = f"{slug}/hero.jpg", f"{slug}/social-1200x630.jpg"
            item.image_alt = sentence(rng, words, 6)
        if section == "evenements":
            event_start = date + dt.timedelta(days=rng.randint(7, 60), hours=11)
            item.event = EventInfo(
                start=event_start,
                end=event_start + dt.timedelta(hours=3),
                location=f"{rng.choice(groups)[7:]}, salle {rng.randint(1, 9)}",
                organiser=rng.choice(groups),
            )
        if section == "parcours":
            item.career = CareerInfo(
                alumnus=rng.choice(people),
                class_year=rng.choice(years),
                position=sentence(rng, words, 3)[:-1],
                organisation=f"Société {rng.choice(LAST)}",
                sector=rng.choice(["Énergie", "Numérique", "Industrie"]),
            )
        path = out / section / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(item), encoding="utf-8")
        urls.append(f"{section}/{slug}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    generate(args.n, args.out, args.seed)
    print(f"{args.n} items in {args.out}")


if __name__ == "__main__":
    main()
