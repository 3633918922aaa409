"""The admin speaks English to editors who chose it, French to everyone else.

Relais's own source strings are French; ``cms/locale/en`` holds their English. The catalogue is
parsed here without polib (not a dependency): a tiny reader of the subset of the PO format that
``makemessages`` writes is enough.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from wagtail.users.models import UserProfile

LC_MESSAGES = Path(settings.BASE_DIR) / "cms" / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# Relais's own labels on the item editor, as the English catalogue gives them and in their French
# source. The English ones are capitalised by Django (capfirst of the verbose name).
EDITOR_EN = (
    "Standfirst",
    "Class years",
    "Main image",
    "Graduate",
    "Sector",
    "Social networks",
    "Two or three sentences",
)
EDITOR_FR = (
    "Chapeau",
    "Promotions",
    "Image principale",
    "Diplômé·e",
    "Secteur",
    "Réseaux sociaux",
    "Deux ou trois phrases",
)
# ... and on the dashboard: the public site's panel, and the sidebar's Community menu (the sidebar
# is JSON in the page, where "é" is escaped, hence the ASCII prefix).
DASHBOARD_EN = ("Public site", "The site has not been built yet.", '"Community"', '"Statistics"')
DASHBOARD_FR = (
    "Site public",
    "Le site n'a pas encore été construit.",
    '"Communaut',
    '"Statistiques"',
)


# --- A small PO reader -------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # PO strings use C escapes, which Python's literals share


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal entry, target
        if entry is not None:
            entries.append(entry)
        entry, target = None, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            entry = entry or Entry()
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry = entry or Entry()
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith("#:"):
            entry = entry or Entry()
            entry.references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            entry = entry or Entry()
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match.groups()
            if (
                keyword == "msgid"
                and entry is not None
                and target is not None
                and target[0] != "msgid"
            ):
                flush()  # a new entry without a blank line before it
            entry = entry or Entry()
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index) if index is not None else 0)
                entry.msgstr[target[1]] = _unquote(value)
            elif keyword == "msgctxt":
                target = ("msgctxt", None)
            else:
                target = (keyword, None)
                setattr(entry, keyword, _unquote(value))
            continue
        if line.startswith('"') and entry is not None and target is not None:
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += _unquote(line)
            elif kind != "msgctxt":
                setattr(entry, kind, getattr(entry, kind) + _unquote(line))
            continue
        raise AssertionError(f"{path}: unreadable line {raw!r}")
    flush()
    return entries


def catalogue() -> tuple[Entry, list[Entry]]:
    entries = read_po(PO_FILE)
    header = next(e for e in entries if e.msgid == "" and not e.obsolete)
    return header, [e for e in entries if e.msgid and not e.obsolete]


# --- Admin pages --------------------------------------------------------------------------------


def _prefer(user, language: str) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def _editor_html(client, site_tree) -> str:
    index = site_tree["indexes"]["parcours"]
    response = client.get(f"/admin/pages/add/content/careerstorypage/{index.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _dashboard_html(client) -> str:
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_english_editor_sees_relais_labels_in_english(site_tree, admin_user, client):
    _prefer(admin_user, "en")
    client.force_login(admin_user)

    dashboard = _dashboard_html(client)
    assert 'lang="en"' in dashboard
    for label in DASHBOARD_EN:
        assert label in dashboard, label
    for label in DASHBOARD_FR:
        assert label not in dashboard, label

    editor = _editor_html(client, site_tree)
    for label in EDITOR_EN:
        assert label in editor, label
    for label in EDITOR_FR:
        assert label not in editor, label


def test_default_editor_sees_relais_labels_in_french(site_tree, admin_user, client):
    client.force_login(admin_user)

    dashboard = _dashboard_html(client)
    assert 'lang="fr"' in dashboard
    for label in DASHBOARD_FR:
        assert label in dashboard, label
    for label in DASHBOARD_EN:
        assert label not in dashboard, label

    editor = _editor_html(client, site_tree)
    for label in EDITOR_FR:
        assert label in editor, label
    for label in ("Standfirst", "Class years", "Main image", "Two or three sentences"):
        assert label not in editor, label


def test_french_preference_keeps_french(site_tree, admin_user, client):
    _prefer(admin_user, "fr")
    client.force_login(admin_user)
    editor = _editor_html(client, site_tree)
    assert "Chapeau" in editor and "Standfirst" not in editor


# --- The catalogue ------------------------------------------------------------------------------


def test_catalogue_header_declares_english_and_is_not_fuzzy():
    header, _ = catalogue()
    assert "fuzzy" not in header.flags
    text = header.msgstr[0]
    assert "Language: en\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text


def test_catalogue_has_no_untranslated_or_fuzzy_entry():
    _, entries = catalogue()
    assert len(entries) > 400
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    untranslated = []
    for e in entries:
        forms = 2 if e.msgid_plural is not None else 1
        if sorted(e.msgstr) != list(range(forms)) or not all(e.msgstr.values()):
            untranslated.append(e.msgid)
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_catalogue_covers_every_app():
    _, entries = catalogue()
    files = {ref.rsplit(":", 1)[0] for e in entries for ref in e.references}
    apps = {f.split("/")[1] for f in files}
    assert {
        "audience",
        "content",
        "core",
        "members",
        "publishing",
        "social",
        "stats",
        "taxonomy",
    } <= apps
    assert any(f.endswith(".html") for f in files)  # templates too, not only Python


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{\w*\}|</?[a-zA-Z][^>]*>")


def test_translations_keep_placeholders_and_markup():
    _, entries = catalogue()
    for e in entries:
        for index, text in e.msgstr.items():
            source = e.msgid_plural if index and e.msgid_plural is not None else e.msgid
            assert sorted(_PLACEHOLDER.findall(text)) == sorted(_PLACEHOLDER.findall(source)), (
                source,
                text,
            )


def test_compiled_catalogue_matches_the_po():
    """The .mo is committed (a fresh machine may lack gettext): it must not lag behind the .po."""
    assert MO_FILE.exists()
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    _, entries = catalogue()
    stale = []
    for e in entries:
        if e.msgid_plural is None:
            if compiled.gettext(e.msgid) != e.msgstr[0]:
                stale.append(e.msgid)
        elif (
            compiled.ngettext(e.msgid, e.msgid_plural, 1) != e.msgstr[0]
            or compiled.ngettext(e.msgid, e.msgid_plural, 2) != e.msgstr[1]
        ):
            stale.append(e.msgid)
    assert not stale, f"recompile the catalogue (manage.py compilemessages): {stale[:5]}"


@pytest.mark.parametrize(
    ("source", "english"),
    [
        ("promotion", "class year"),
        ("rubrique", "section"),
        ("chapeau", "standfirst"),
        ("Adhésion", "Membership"),
        ("contributeur", "contributor"),
        ("Réseaux sociaux", "Social networks"),
        ("publication sur un réseau", "social network post"),
    ],
)
def test_domain_words_are_consistent(source, english):
    _, entries = catalogue()
    by_id = {e.msgid: e.msgstr[0] for e in entries}
    assert by_id[source] == english
