"""The sections of a Relais site: one registry shared by the CMS, the site and syndication.

A section is a kind of item (alumni news, career story, ...). Its ``key`` is at once the folder
under ``content/``, the first segment of the item's URL on the static site, the Pelican category
and the ``utm_campaign`` of the links that syndication posts. Keys never change once content
exists: renaming one would break every URL already shared on the networks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    label_fr: str
    label_en: str
    description_fr: str
    description_en: str = ""

    def label(self, lang: str = "fr") -> str:
        return self.label_en if lang.startswith("en") else self.label_fr

    def description(self, lang: str = "fr") -> str:
        return self.description_en if lang.startswith("en") else self.description_fr


class SectionRegistry(dict[str, Section]):
    """Sections by key, in the order the site shows them."""

    def register(self, section: Section) -> Section:
        if section.key in self:
            raise ValueError(f"Section {section.key!r} is registered twice.")
        self[section.key] = section
        return section

    def get_or_error(self, key: str) -> Section:
        try:
            return self[key]
        except KeyError:
            known = ", ".join(self)
            raise KeyError(f"Unknown section {key!r}: use one of {known}.") from None


SECTIONS = SectionRegistry()
NEWS = SECTIONS.register(
    Section(
        "actualites",
        "Actualités des alumni",
        "Alumni news",
        "Nominations, distinctions, créations d'entreprise : ce que deviennent nos diplômés.",
        "Appointments, awards, new companies: what our graduates are doing now.",
    )
)
CAREERS = SECTIONS.register(
    Section(
        "parcours",
        "Parcours",
        "Career stories",
        "Des ingénieurs racontent leur carrière, de l'école à aujourd'hui.",
        "Engineers tell their careers, from the school to today.",
    )
)
SCHOOL_LIFE = SECTIONS.register(
    Section(
        "vie-ecole",
        "Vie de l'école",
        "School life",
        "Ce qui se passe sur le campus : projets, associations étudiantes, recherche.",
        "What happens on campus: projects, student societies, research.",
    )
)
EVENTS = SECTIONS.register(
    Section(
        "evenements",
        "Événements",
        "Events",
        "Afterworks, conférences, galas et rencontres des promotions et des groupes.",
        "Afterworks, talks, galas and reunions of the classes and the groups.",
    )
)
ASSOCIATION = SECTIONS.register(
    Section(
        "association",
        "Vie de l'association",
        "Association news",
        "Les nouvelles de l'association : assemblée générale, conseil, services aux membres.",
        "News of the association: general meeting, board, services to members.",
    )
)
