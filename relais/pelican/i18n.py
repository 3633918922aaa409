"""The theme's own words in the site's language (``lang`` in ``content/site.yaml``).

The words are written in French in the templates (``{% trans %}``, ``_()``) and in the Python
code that makes words of the site (listing titles, :mod:`relais.pelican.listings`); their
translations are gettext catalogues kept in the theme,
``themes/relais/translations/<lang>/LC_MESSAGES/messages.po``, compiled to ``messages.mo``.
French, the source language, needs none. To add or change a word, see
``themes/relais/translations/README.md`` (Babel extracts, updates and compiles them).

Sentences keep French elision where a name follows a small word: "Adhérez à %(name)s" with
"ENILC Alumni" gives "Adhérez à ENILC Alumni", with "Le Cercle" "Adhérez au Cercle"
(:func:`relais.french.interpolate`; a sentence in another language has none of these words).
Items keep their own language (``lang`` in their file), marked on their pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from pelican import signals

from relais.french import interpolate

SOURCE_LANG = "fr"
DOMAIN = "messages"


def catalogue_folder(theme: str | Path) -> Path:
    return Path(theme) / "translations"


def theme_languages(theme: str | Path) -> list[str]:
    """The languages the theme speaks: French and those with a compiled catalogue."""
    folder = catalogue_folder(theme)
    found = {p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return sorted({SOURCE_LANG, *found})


@functools.lru_cache(maxsize=8)
def _load(theme: str, lang: str) -> NullTranslations:
    if lang == SOURCE_LANG:
        return NullTranslations()
    return Translations.load(str(catalogue_folder(theme)), [lang], DOMAIN)


def site_lang(settings: Mapping[str, Any]) -> str:
    return str(settings.get("DEFAULT_LANG") or SOURCE_LANG)


def translations(settings: Mapping[str, Any]) -> NullTranslations:
    """The theme's catalogue for the site's language (none for French; ``site/pelicanconf.py``
    refuses a language the theme does not speak)."""
    lang = site_lang(settings).split("-")[0]
    return _load(str(settings.get("THEME", "")), lang)


def check_lang(lang: str, theme: str | Path) -> str | None:
    """Why the theme cannot make a site in ``lang``, or None when it can."""
    known = theme_languages(theme)
    if lang.split("-")[0] in known:
        return None
    return (
        f"the theme has no words in {lang!r}: use one of {', '.join(known)} (or add a "
        "catalogue to the theme, see themes/relais/translations/README.md)."
    )


def site_gettext(settings: Mapping[str, Any]) -> Callable[..., str]:
    """``_("Promotion %(name)s", name="2012")``: a sentence of the site in its language."""
    catalogue = translations(settings)

    def gettext(message: str, **values: Any) -> str:
        return interpolate(catalogue.gettext(message), values)

    return gettext


def install(env: Any, settings: Mapping[str, Any]) -> None:
    """Give the templates ``_``, ``gettext``, ``ngettext`` and ``{% trans %}`` in the site's
    language, with French elision where a name follows a small word."""
    catalogue = translations(settings)
    env.install_gettext_translations(catalogue, newstyle=True)
    env.policies["ext.i18n.trimmed"] = True

    def fill(context: Context, text: str, values: dict[str, Any]) -> str:
        if context.eval_ctx.autoescape:  # the sentence is the theme's: only values are escaped
            return Markup(interpolate(text, {k: escape(v) for k, v in values.items()}))  # noqa: S704
        return interpolate(text, values)

    @pass_context
    def gettext(context: Context, message: str, **values: Any) -> str:
        return fill(context, catalogue.gettext(message), values)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, **values: Any) -> str:
        values.setdefault("num", num)
        return fill(context, catalogue.ngettext(singular, plural, num), values)

    env.globals.update(gettext=gettext, ngettext=ngettext)


def install_in_generator(generator: Any) -> None:
    install(generator.env, generator.settings)


def register() -> None:
    signals.generator_init.connect(install_in_generator)
