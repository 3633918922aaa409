"""Class years (promotions) and groups: taxonomies Pelican does not have.

Pelican knows categories, tags and authors. An alumni site also files items under the class years
they concern ("promo 2012") and the groups that organise them (regional groups, clubs). Each
taxonomy gets an object per term (a Pelican ``URLWrapper``, so ``{{ term.url }}`` works in
templates, with URLs from the settings ``CLASSYEAR_URL``/``GROUP_URL``); their listing pages and
feeds are planned with the others by :mod:`relais.pelican.listings`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pelican import signals
from pelican.urlwrappers import URLWrapper


class ClassYear(URLWrapper):
    """A class year, e.g. "2012" for the engineers who graduated in 2012."""


class Group(URLWrapper):
    """A regional group, club or professional group of the association."""


@dataclass(frozen=True)
class Taxonomy:
    key: str  # attribute of the ContentItem and of the article
    term_class: type[URLWrapper]
    template: str
    context_name: str
    feed_title_prefix: str

    @property
    def setting_prefix(self) -> str:
        return self.term_class.__name__.upper()


TAXONOMIES = (
    Taxonomy("class_years", ClassYear, "class_year", "class_years", "Promotion"),
    Taxonomy("groups", Group, "group", "groups", "Groupe"),
)


def attach_terms(generator: Any) -> None:
    """Give each article its term objects and put ``(term, articles)`` lists in the context."""
    settings = generator.settings
    for article in generator.hidden_articles + generator.drafts:
        attach_article_terms(article, settings)
    for taxonomy in TAXONOMIES:
        by_term: dict[URLWrapper, list[Any]] = defaultdict(list)
        for article in generator.articles:
            for term in attach_article_terms(article, settings, taxonomy):
                by_term[term].append(article)
        ordered = sorted(
            by_term.items(), key=lambda pair: pair[0].name, reverse=(taxonomy.key == "class_years")
        )
        generator.context[taxonomy.context_name] = ordered


def attach_article_terms(
    article: Any, settings: dict[str, Any], only: Taxonomy | None = None
) -> list[URLWrapper]:
    """Set the article's term objects (all taxonomies, or ``only`` one); return the last set."""
    terms: list[URLWrapper] = []
    for taxonomy in (only,) if only else TAXONOMIES:
        terms = [
            taxonomy.term_class(name, settings) for name in getattr(article.relais, taxonomy.key)
        ]
        setattr(article, taxonomy.key, terms)
    return terms


def register() -> None:
    signals.article_generator_finalized.connect(attach_terms)
