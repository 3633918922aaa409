"""The content file format: lossless round trip, clear errors naming the file and the field."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relais.contentfile import (
    SITE_TIMEZONE,
    CareerInfo,
    ContentFileError,
    ContentItem,
    EventInfo,
    StaticPage,
    dump,
    load,
    load_file,
    load_page_file,
)
from relais.siteconfig import load_site_config

# Any text a person can type or paste: every Unicode category but surrogates (which UTF-8
# cannot encode), plus the strings that break naive frontmatter writers.
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
tricky = st.sampled_from(
    [
        "Carrière : de stagiaire à CTO",
        "'quoted'",
        '"double"',
        "---",
        "a\n---\nb",
        "# not a comment",
        "key: value",
        "- item",
        "[1, 2]",
        "{a: b}",
        "yes",
        "no",
        "null",
        "~",
        "1e3",
        "0x1F",
        "@at",
        "`tick`",
        "|",
        ">",
        "&anchor",
        "*alias",
        "!tag",
        "%YAML",
        "🎓🚀 promo 2012 👩🏽‍🔬",
        "مرحبا بالخريجين",
        "שלום",
        "x" * 5000,
        "  leading and trailing  ",
        "tab\there",
        "\u2028line sep",
        "é" * 3,
        "CRLF\r\nline",
        "\x00nul",
        "\ufeffbom",
        "a: b # c",
        "0\xa0",
        "fin\u3000",
        "1.5",
        "0x10",
        "2026-01-01",
        "true",
    ]
)
titles = st.one_of(text.filter(lambda t: t.strip()), tricky.filter(lambda t: t.strip()))
summaries = st.one_of(text, tricky)
# Dates as files hold them: to the second, with the UTC offset they had in Paris.
dates = st.datetimes(
    min_value=dt.datetime(1970, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.just(SITE_TIMEZONE),
).map(lambda d: d.replace(microsecond=0).astimezone(dt.timezone(d.utcoffset())))
terms = st.lists(st.one_of(text.filter(lambda t: t.strip()), tricky.filter(str.strip)), max_size=4)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(title=titles, summary=summaries, date=dates, tags=terms, contributors=terms, alt=summaries)
def test_round_trip_is_lossless(title, summary, date, tags, contributors, alt):
    item = ContentItem(
        title=title,
        summary=summary,
        date=date,
        slug="un-article",
        section="actualites",
        tags=tags,
        contributors=contributors,
        class_years=["2012"],
        image="a/b.jpg",
        image_alt=alt if alt.strip() else "alt",
        body="Le **corps**.",
    )
    again = load(dump(item), "actualites/un-article.md")
    assert again == item
    assert again.date.utcoffset() == item.date.utcoffset()


@given(title=titles, location=summaries)
def test_round_trip_of_nested_fields(title, location):
    item = ContentItem(
        title=title,
        date=dt.datetime(2026, 11, 20, 10, tzinfo=SITE_TIMEZONE),
        slug="evt",
        section="evenements",
        event=EventInfo(
            start=dt.datetime(2027, 1, 15, 19, tzinfo=SITE_TIMEZONE),
            location=location,
            organiser=title,
        ),
        career=CareerInfo(alumnus=title, class_year="2012", position=location),
    )
    assert load(dump(item), "evenements/evt.md") == item


def test_written_file_is_readable_yaml_with_the_body_after_it():
    item = ContentItem(
        title="Carrière : « de stagiaire à CTO »",
        slug="cto",
        section="parcours",
        date=dt.datetime(2026, 11, 20, 10, tzinfo=SITE_TIMEZONE),
        tags=["data"],
        body="# Titre\n\nTexte.",
    )
    text = dump(item)
    assert text.startswith("---\ntitle: 'Carrière : « de stagiaire à CTO »'\n")
    assert "\n---\n\n# Titre\n\nTexte.\n" in text


def test_hand_written_file_defaults_slug_and_section_from_its_path(tmp_path):
    path = tmp_path / "vie-ecole" / "rentree-2026.md"
    path.parent.mkdir()
    path.write_text(
        "---\ntitle: La rentrée\ndate: 2026-09-01\ntags: rentrée, campus\n---\nHello\n",
        encoding="utf-8",
    )
    item = load_file(path)
    assert (item.slug, item.section) == ("rentree-2026", "vie-ecole")
    assert item.tags == ["rentrée", "campus"]
    assert item.date == dt.datetime(2026, 9, 1, tzinfo=SITE_TIMEZONE)
    assert item.body == "Hello"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("no frontmatter at all", None, "no frontmatter"),
        ("---\ntitle: a: b\ndate: 2026-01-01\n---\n", None, "not valid YAML (line 2"),
        ("---\ndate: 2026-01-01\n---\n", "title", "required"),
        ("---\ntitle: x\n---\n", "date", "required"),
        ("---\ntitle: x\ndate: hier\n---\n", "date", "not a date"),
        ("---\ntitle: x\ndate: 2026-01-01\nsection: blog\n---\n", "section", "not a section"),
        ("---\ntitle: x\ndate: 2026-01-01\nslug: Mon Article\n---\n", "slug", "lowercase"),
        ("---\ntitle: x\ndate: 2026-01-01\nimage: a.jpg\n---\n", "image_alt", "text alternative"),
        ("---\ntitle: x\ndate: 2026-01-01\ntitel: y\n---\n", "titel", "unknown field"),
        ("---\ntitle: [a, b]\ndate: 2026-01-01\n---\n", "title", "must be text"),
        ("---\ntitle: x\ndate: 2026-01-01\ntags: {a: 1}\n---\n", "tags", "must be a list"),
        (
            "---\ntitle: x\ndate: 2026-01-01\nevent:\n  location: Lyon\n---\n",
            "event.start",
            "required",
        ),
        (
            "---\ntitle: x\ndate: 2026-01-01\nevent:\n"
            "  start: 2026-02-02\n  end: 2026-02-01\n---\n",
            "event.end",
            "ends before",
        ),
        ("---\ntitle: x\ndate: 2026-01-01\ncms_id: douze\n---\n", "cms_id", "whole number"),
    ],
)
def test_bad_frontmatter_names_the_file_and_the_field(text, field, words):
    with pytest.raises(ContentFileError) as err:
        load(text, "actualites/mon-article.md")
    assert err.value.field == field
    assert str(err.value).startswith("actualites/mon-article.md")
    if field:
        assert f"field '{field}'" in str(err.value)
    assert words in str(err.value)


def test_file_that_is_not_utf8_gives_a_clear_error(tmp_path):
    path = tmp_path / "actualites" / "latin1.md"
    path.parent.mkdir()
    path.write_bytes("---\ntitle: café\ndate: 2026-01-01\n---\n".encode("latin-1"))
    with pytest.raises(ContentFileError, match="not UTF-8"):
        load_file(path)


# -- a byte-order mark, as some editors write it ---------------------------------------------------

ITEM_TEXT = "---\ntitle: Café des anciens\ndate: 2026-01-01\nsummary: 'Un résumé'\n---\nTexte.\n"


def test_a_content_file_starting_with_a_byte_order_mark_reads_as_without_it(tmp_path):
    plain, marked = tmp_path / "actualites" / "cafe.md", tmp_path / "bom" / "actualites" / "cafe.md"
    for path, prefix in ((plain, b""), (marked, b"\xef\xbb\xbf")):
        path.parent.mkdir(parents=True)
        path.write_bytes(prefix + ITEM_TEXT.encode("utf-8"))
    assert load_file(marked) == load_file(plain)
    assert load("\ufeff" + ITEM_TEXT, "actualites/cafe.md") == load(ITEM_TEXT, "actualites/cafe.md")


def test_a_page_file_and_site_yaml_with_a_byte_order_mark_read_as_without_it(tmp_path):
    page = tmp_path / "pages" / "mentions-legales.md"
    page.parent.mkdir()
    page.write_bytes(b"\xef\xbb\xbf---\ntitle: Mentions\n---\nTexte.\n")
    assert load_page_file(page) == StaticPage(
        title="Mentions", slug="mentions-legales", body="Texte."
    )
    (tmp_path / "site.yaml").write_bytes(b"\xef\xbb\xbfname: Alumni\nsignup_url: https://x.org/\n")
    config = load_site_config(tmp_path)
    assert (config.name, config.signup_url) == ("Alumni", "https://x.org/")


def test_the_site_builds_from_files_with_a_byte_order_mark(site_paths, build):
    item = site_paths.content / "actualites" / "cafe.md"
    item.parent.mkdir(parents=True)
    item.write_bytes(b"\xef\xbb\xbf" + ITEM_TEXT.encode("utf-8"))
    page = site_paths.content / "pages" / "mentions-legales.md"
    page.parent.mkdir()
    page.write_bytes(b"\xef\xbb\xbf---\ntitle: Mentions\n---\nTexte.\n")
    build()
    html = (site_paths.output / "actualites" / "cafe" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Café des anciens</h1>" in html
    assert (site_paths.output / "mentions-legales" / "index.html").is_file()
