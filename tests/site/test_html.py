"""Rich text to Markdown and back keeps the text; sanitising removes every script."""

from __future__ import annotations

import html

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.html import html_to_markdown, sanitise_html

MD = markdown.Markdown(extensions=["markdown.extensions.extra", "markdown.extensions.sane_lists"])


def render(md_text: str) -> str:
    MD.reset()
    return MD.convert(md_text)


def visible_text(fragment: str) -> str:
    return " ".join(BeautifulSoup(fragment, "html.parser").get_text(" ").split())


# Printable text with every character Markdown gives a meaning to, and line starts that look
# like headings, lists and quotes.
markup_chars = st.sampled_from(
    [*"\\`*_{}[]()#+-.!<>&|:~=\"'", "1. ", "# ", "> ", "- ", "&amp;", "<b>", "[x](y)"]
)
words = st.text(alphabet=st.characters(whitelist_categories=("L", "N", "Zs")), max_size=12)
paragraph_text = st.lists(st.one_of(words, markup_chars), min_size=1, max_size=25).map("".join)


@settings(max_examples=300)
@given(paragraphs=st.lists(paragraph_text.filter(lambda t: t.strip()), min_size=1, max_size=4))
def test_text_survives_html_to_markdown_to_html(paragraphs):
    source = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    round_trip = render(html_to_markdown(source))
    assert visible_text(round_trip) == visible_text(source)


def test_structure_is_kept():
    source = (
        "<h2>Un parcours</h2><p>Texte <strong>gras</strong>, <em>italique</em> et "
        '<a href="https://example.org/a_(b)">un lien</a>.</p>'
        "<ul><li>un</li><li>deux</li></ul>"
        "<ol><li>premier</li></ol><blockquote><p>Une citation</p></blockquote>"
    )
    out = render(html_to_markdown(source))
    soup = BeautifulSoup(out, "html.parser")
    assert soup.h2.get_text() == "Un parcours"
    assert soup.strong.get_text() == "gras" and soup.em.get_text() == "italique"
    assert soup.a["href"] == "https://example.org/a_(b)"
    assert [li.get_text() for li in soup.select("ul li")] == ["un", "deux"]
    assert soup.select_one("ol li").get_text() == "premier"
    assert soup.blockquote.get_text(strip=True) == "Une citation"


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">clic</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg onload=alert(1)>",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "<object data=x></object><embed src=x>",
        '<form action="https://evil.example"><input name=p></form>',
        "<<script>script>alert(1)<</script>/script>",
    ],
)
def test_no_script_survives_sanitising(attack):
    cleaned = sanitise_html(f"<p>avant</p>{attack}<p>après</p>")
    lowered = cleaned.lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "style=",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "<input",
    ):
        assert needle not in lowered
    assert "avant" in cleaned and "après" in cleaned


def test_markdown_export_does_not_smuggle_html():
    # Text that looks like a tag stays text through the export and the site's renderer.
    out = render(html_to_markdown("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"))
    assert "<script>" not in out
    assert visible_text(out) == "<script>alert(1)</script>"


def test_text_that_an_html_parser_would_read_as_a_character_reference_stays_text():
    # found by the round-trip property above: "&#0" came back as U+FFFD
    for text in ("&#0", "&#x41 et &#65", "&copy 2026", "AT&T", "R&D", "&amp;", "&eacute;t&eacute"):
        source = f"<p>{html.escape(text)}</p>"
        assert visible_text(render(html_to_markdown(source))) == text
