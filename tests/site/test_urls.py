"""Addresses written by hand: only web addresses (and mailto: where it makes sense) reach a page,
whatever the spelling; anything else is refused naming the file and the field."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from relais.buildconfig import BuildError
from relais.contentfile import ContentFileError, load
from relais.siteconfig import SiteConfigError, load_site_config
from tests.support import write_item

ITEM = "evenements/afterwork.md"

# What a hand-written file can hold, in YAML, to make a link run a script or leave the web
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "'  javascript:alert(1)'",
    '"java\\tscript:alert(1)"',  # a tab, which browsers drop
    '"java\\nscript:alert(1)"',
    '"\\x00javascript:alert(1)"',  # a control character first, which browsers skip
    '"\\u200bjavascript:alert(1)"',
    "'&#x6A;avascript:alert(1)'",  # an entity a careless template would decode
    "'javascript&#58;alert(1)'",
    "vbscript:msgbox(1)",
    "'data:text/html,<script>alert(1)</script>'",
    "file:///etc/passwd",
    "//evil.example/inscription",
    "ftp://example.org/inscription",
    "inscription.html",
    "'https:evil.example'",
]


def event(registration_url: str) -> str:
    return (
        "---\ntitle: Afterwork\ndate: 2026-01-01\nevent:\n  start: 2026-02-01 19:00\n"
        f"  registration_url: {registration_url}\n---\n"
    )


def item(field: str, value: str) -> str:
    extra = "\nimage_alt: Une photo" if field == "image" else ""
    return f"---\ntitle: Un article\ndate: 2026-01-01\n{field}: {value}{extra}\n---\n"


@pytest.mark.parametrize("url", HOSTILE)
def test_a_registration_link_is_a_web_address_or_an_email_whatever_the_spelling(url):
    with pytest.raises(ContentFileError) as err:
        load(event(url), ITEM)
    assert err.value.field == "event.registration_url"
    assert str(err.value).startswith(f"{ITEM}: field 'event.registration_url'")
    assert "https://" in err.value.message and "mailto:" in err.value.message


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("https://www.helloasso.com/associations/x", "https://www.helloasso.com/associations/x"),
        ("'  HTTPS://Example.org/Inscription '", "https://Example.org/Inscription"),
        ("http://example.org/?a=1&b=2", "http://example.org/?a=1&b=2"),
        ("mailto:inscription@alumni.example.org", "mailto:inscription@alumni.example.org"),
        ("'MAILTO:a@example.org?subject=Afterwork'", "mailto:a@example.org?subject=Afterwork"),
    ],
)
def test_web_and_mail_registration_links_are_kept(written, read):
    assert load(event(written), ITEM).event.registration_url == read


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("canonical_url", "mailto:contact@example.org"),  # a page's address is on the web
        ("canonical_url", "javascript:alert(1)"),
        ("canonical_url", "//alumni.example.org/actualites/x/"),
        ("image", "'javascript:alert(1)'"),
        ("image", "'data:image/svg+xml,<svg onload=alert(1)>'"),
        ("image", "//cdn.example.org/photo.jpg"),
        ("image_social", "'JAVASCRIPT:alert(1)'"),
        ("image_social", "mailto:contact@example.org"),
    ],
)
def test_other_address_fields_take_web_addresses_only(field, value):
    with pytest.raises(ContentFileError) as err:
        load(item(field, value), "actualites/un-article.md")
    assert err.value.field == field
    assert "https://" in err.value.message
    assert "mailto:" not in err.value.message.split("Accepted:", 1)[-1]


def test_pictures_may_be_web_addresses_or_paths():
    loaded = load(item("image", "https://cdn.example.org/photo.jpg"), "actualites/a.md")
    assert loaded.image == "https://cdn.example.org/photo.jpg"
    assert load(item("image", "a/photo.jpg"), "actualites/a.md").image == "a/photo.jpg"


def test_the_build_refuses_a_script_link_and_the_live_site_stays(site_paths, build):
    write_item(site_paths.content, "actualites", "bienvenue", "title: Bienvenue\ndate: 2026-01-01")
    first = build()
    (site_paths.content / "evenements").mkdir()
    (site_paths.content / ITEM).write_text(event("javascript:alert(1)"), encoding="utf-8")
    with pytest.raises(BuildError, match=r"afterwork\.md: field 'event\.registration_url'"):
        build()
    assert site_paths.output.resolve() == first.output_dir
    assert not (first.output_dir / "evenements" / "afterwork").exists()


# -- site.yaml -----------------------------------------------------------------------------------


def site_yaml(tmp_path, text: str):
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("signup_url: javascript:alert(1)\n", "signup_url"),
        ('signup_url: "java\\tscript:alert(1)"\n', "signup_url"),
        ("signup_url: //cms.example.org/adherer/\n", "signup_url"),
        ("counter_url: 'data:image/gif;base64,R0lGOD'\n", "counter_url"),
        ("networks:\n  Mastodon: javascript:alert(1)\n", "networks.Mastodon"),
        ("networks:\n  LinkedIn: ftp://linkedin.example/x\n", "networks.LinkedIn"),
        ("contact_email: javascript:alert(1)//@x.org\n", "contact_email"),
        ("contact_email: 'contact@example.org\" onclick=\"x'\n", "contact_email"),
        ("signup_url: [a, b]\n", "signup_url"),
    ],
)
def test_site_yaml_addresses_are_checked_naming_the_file_and_the_field(tmp_path, text, field):
    with pytest.raises(SiteConfigError) as err:
        load_site_config(site_yaml(tmp_path, text))
    assert err.value.field == field
    assert str(err.value).startswith(f"{tmp_path / 'site.yaml'}: field '{field}'")


def test_site_yaml_keeps_good_addresses(tmp_path):
    config = load_site_config(
        site_yaml(
            tmp_path,
            "signup_url: ' HTTPS://cms.example.org/adherer/'\n"
            "counter_url: https://cms.example.org/c/p.gif\n"
            "contact_email: contact@alumni.example.org\n"
            "networks:\n  Mastodon: https://mastodon.example/@alumni\n  Vide:\n",
        )
    )
    assert config.signup_url == "https://cms.example.org/adherer/"
    assert config.counter_url == "https://cms.example.org/c/p.gif"
    assert config.contact_email == "contact@alumni.example.org"
    assert config.networks == {"Mastodon": "https://mastodon.example/@alumni"}


# -- links in bodies -----------------------------------------------------------------------------

BODY_ATTACKS = """
[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java&#x09;script:alert(1))
[d](&#106;avascript:alert(1)) [e](vbscript:msgbox(1)) [f](data:text/html;base64,PHNjcmlwdD4=)
![g](javascript:alert(1)) <a href="javascript:alert(1)">h</a> [i][ref] <javascript:alert(1)>
[j](file:///etc/passwd)

[ref]: javascript:alert(1)
"""


def test_script_links_written_in_a_markdown_body_never_reach_the_page(site_paths, build):
    write_item(
        site_paths.content,
        "actualites",
        "liens",
        "title: Liens\ndate: 2026-01-01",
        body=BODY_ATTACKS + "\n[bon](https://example.org/) [mail](mailto:a@example.org)",
    )
    build()
    html = (site_paths.output / "actualites/liens/index.html").read_text(encoding="utf-8")
    prose = BeautifulSoup(html, "html.parser").select_one(".prose")
    targets = [a.get("href") for a in prose.find_all("a")]
    targets += [img.get("src") for img in prose.find_all("img")]
    assert "https://example.org/" in targets and "mailto:a@example.org" in targets
    for target in filter(None, targets):
        assert target.startswith(("https://", "mailto:")), target
    for scheme in ("javascript", "vbscript", "data:", "file:"):
        assert scheme not in str(prose).lower()


def test_an_address_with_a_password_is_refused_without_repeating_it(tmp_path):
    with pytest.raises(ContentFileError) as err:
        load(event("https://admin:s3cr3t-pw@billetterie.example/gala"), ITEM)
    assert err.value.field == "event.registration_url"
    assert "user name or a password" in err.value.message
    assert "s3cr3t-pw" not in str(err.value)
    with pytest.raises(SiteConfigError) as err:
        load_site_config(site_yaml(tmp_path, "signup_url: https://a:s3cr3t-pw@x.org/\n"))
    assert "s3cr3t-pw" not in str(err.value)
