"""Every address the site published stays valid: moved items leave a redirect page at their
old address (and a line in the redirect files for web servers), withdrawn items a "retiré"
page. Resolution alone, then through ``make site`` and through the warm builder."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from relais.addresses import GONE, LIVE, MOVED, AddressBook, Entry, identity_keys, resolve
from relais.buildconfig import SitePaths
from relais.incremental import SiteBuilder
from tests.site.test_cli import relais
from tests.support import GOLDEN_CONTENT, GOLDEN_NOW, GOLDEN_SITE_URL, env, write_item

LONG_BODY = "Un texte assez long pour reconnaître l'article. " * 8


def entry(path: str, *keys: str, state: str = LIVE, target: str = "") -> Entry:
    return Entry(path, f"Titre de {path}", "actualites", keys, state, target)


def index(*entries: Entry) -> tuple[dict[str, Entry], dict[str, set[str]]]:
    live = {e.path: e for e in entries}
    by_key: dict[str, set[str]] = {}
    for e in entries:
        for k in e.keys:
            by_key.setdefault(k, set()).add(e.path)
    return live, by_key


# -- resolution ------------------------------------------------------------------------------


def test_identity_keys_name_the_cms_page_the_title_and_date_and_a_long_body():
    keys = identity_keys("Titre", "2026-01-01T10:00:00+01:00", LONG_BODY, cms_id=42)
    assert keys[0] == "cms:42"
    assert [k.split(":")[0] for k in keys] == ["cms", "title", "body"]
    assert [k.split(":")[0] for k in identity_keys("Titre", "2026", "Texte.")] == ["title"]
    assert identity_keys("Titre", "2026", "x") != identity_keys("Titre", "2027", "x")


def test_an_old_address_moves_to_the_item_sharing_a_key():
    live, by_key = index(entry("actualites/nouveau/", "title:a", "body:b"))
    result = resolve({"actualites/ancien/": entry("actualites/ancien/", "body:b")}, live, by_key)
    assert result["actualites/ancien/"].state == MOVED
    assert result["actualites/ancien/"].target == "actualites/nouveau/"


def test_the_cms_page_decides_over_a_look_alike():
    live, by_key = index(
        entry("actualites/copie/", "title:t"), entry("actualites/vrai/", "cms:7", "title:u")
    )
    old = {"actualites/x/": entry("actualites/x/", "cms:7", "title:t")}
    assert resolve(old, live, by_key)["actualites/x/"].target == "actualites/vrai/"


def test_a_move_is_followed_to_where_the_item_went_next():
    live, by_key = index(entry("actualites/c/", "title:new-title"))
    book = {"actualites/b/": entry("actualites/b/", "title:b", state=MOVED, target="actualites/c/")}
    old = {"actualites/a/": entry("actualites/a/", "title:a", state=MOVED, target="actualites/b/")}
    assert resolve(old, live, by_key, lookup=book)["actualites/a/"].target == "actualites/c/"


def test_nothing_to_follow_is_gone_and_a_loop_ends():
    live, by_key = index(entry("actualites/autre/", "title:z"))
    old = {
        "actualites/a/": entry("actualites/a/", "title:a", state=MOVED, target="actualites/b/"),
        "actualites/b/": entry("actualites/b/", "title:b", state=MOVED, target="actualites/a/"),
        "actualites/c/": entry("actualites/c/", "title:c"),
    }
    assert {p: e.state for p, e in resolve(old, live, by_key).items()} == {
        "actualites/a/": GONE,
        "actualites/b/": GONE,
        "actualites/c/": GONE,
    }


def test_the_book_keeps_entries_and_finds_them_by_key_and_target(tmp_path):
    book = AddressBook(tmp_path / "b.sqlite3")
    book.record([entry("actualites/a/", "title:a"), entry("actualites/b/", "title:b")])
    book.record([entry("actualites/a/", "title:a", state=MOVED, target="actualites/c/")])
    assert book.entries(["actualites/a/"])["actualites/a/"].target == "actualites/c/"
    assert set(book.entries()) == {"actualites/a/", "actualites/b/"}
    assert book.related(["title:b"], ["actualites/c/"]) == {"actualites/a/", "actualites/b/"}
    assert AddressBook(None).entries() == {} and AddressBook(None).record([]) == 0


# -- make site -------------------------------------------------------------------------------


def test_make_site_keeps_the_address_of_a_renamed_hand_written_file(tmp_path):
    content = shutil.copytree(GOLDEN_CONTENT, tmp_path / "content")
    output = tmp_path / "site" / "output"
    assert relais("build", content=content, output=output).returncode == 0
    old = content / "parcours" / "de-stagiaire-a-cto.md"
    old.rename(content / "parcours" / "lea-martin-cto.md")
    done = relais("build", content=content, output=output)
    assert done.returncode == 0, done.stderr
    page = BeautifulSoup(
        (output / "parcours" / "de-stagiaire-a-cto" / "index.html").read_text(), "html.parser"
    )
    new_url = f"{GOLDEN_SITE_URL}/parcours/lea-martin-cto/"
    assert page.find("link", rel="canonical")["href"] == new_url
    assert (output / "parcours" / "lea-martin-cto" / "index.html").is_file()
    assert (output / "_redirects").read_text().splitlines()[1:] == [
        "/parcours/de-stagiaire-a-cto/ /parcours/lea-martin-cto/ 301"
    ]
    assert (
        "/parcours/de-stagiaire-a-cto/ /parcours/lea-martin-cto/;"
        in (output / "_redirects.map").read_text()
    )
    assert (
        "RedirectMatch 301 ^/parcours/de-stagiaire-a-cto/(index\\.html)?$ "
        f"{GOLDEN_SITE_URL}/parcours/lea-martin-cto/" in (output / ".htaccess").read_text()
    )
    sitemap = "".join(p.read_text() for p in (output / "sitemaps").glob("*.xml"))
    assert "lea-martin-cto" in sitemap and "de-stagiaire-a-cto" not in sitemap

    # withdrawn by deleting the file: both addresses say so
    (content / "parcours" / "lea-martin-cto.md").unlink()
    assert relais("build", content=content, output=output).returncode == 0
    for slug in ("de-stagiaire-a-cto", "lea-martin-cto"):
        text = (output / "parcours" / slug / "index.html").read_text()
        assert "Article retiré" in text and 'content="noindex"' in text
    assert not (output / "_redirects").exists()


# -- the warm builder --------------------------------------------------------------------------


def _write(content: Path, slug: str, title: str = "Prix de l'innovation") -> None:
    write_item(
        content,
        "actualites",
        slug,
        f'title: "{title}"\ndate: 2026-05-04 10:00\ncms_id: 12',
        body=LONG_BODY,
    )


def canonical_of(output: Path, path: str) -> str | None:
    html = (output / path / "index.html").read_text(encoding="utf-8")
    link = BeautifulSoup(html, "html.parser").find("link", rel="canonical")
    return link["href"] if link else None


def test_an_item_moved_twice_sends_both_old_addresses_to_the_last_one(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    shutil.copytree(GOLDEN_CONTENT, paths.content)
    _write(paths.content, "prix-a")
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        for old, new in (("prix-a", "prix-b"), ("prix-b", "prix-c")):
            (paths.content / "actualites" / f"{old}.md").unlink()
            _write(paths.content, new, title=f"Prix de l'innovation ({new})")
            result = builder.update([f"actualites/{old}.md", f"actualites/{new}.md"])
            assert result.kind == "incremental"
        out = paths.output
        final = f"{GOLDEN_SITE_URL}/actualites/prix-c/"
        assert canonical_of(out, "actualites/prix-a") == final  # no chain through prix-b
        assert canonical_of(out, "actualites/prix-b") == final
        # back to its first address: it is live there again, the others lead to it
        (paths.content / "actualites" / "prix-c.md").unlink()
        _write(paths.content, "prix-a")
        builder.update(["actualites/prix-c.md", "actualites/prix-a.md"])
        assert canonical_of(out, "actualites/prix-a") == f"{GOLDEN_SITE_URL}/actualites/prix-a/"
        assert (
            "<h1>Prix de l&#39;innovation</h1>"
            in (out / "actualites" / "prix-a" / "index.html").read_text()
        )
        for slug in ("prix-b", "prix-c"):
            assert (
                canonical_of(out, f"actualites/{slug}") == f"{GOLDEN_SITE_URL}/actualites/prix-a/"
            )
        # a restarted worker adopts the site with its book: nothing to redo
        assert SiteBuilder(paths).warm_up().kind == "adopted"
