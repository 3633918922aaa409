"""The deploy engine against a real S3-compatible server on loopback (moto's server): what goes
up, in which order, with which headers, and how an interrupted deploy is finished."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from relais.buildconfig import SitePaths
from relais.deploy import (
    ASSETS,
    CACHE_ASSET,
    CACHE_IMMUTABLE,
    CACHE_SHORT,
    FEEDS,
    LISTINGS,
    MARKER,
    PAGES,
    DeployError,
    S3Deployer,
    cache_control,
    content_type,
    http_purge,
    tier,
)
from relais.incremental import SiteBuilder
from tests.deploy.support import (
    S3Server,
    bucket_files,
    client,
    head,
    target,
    tree_files,
)
from tests.support import (
    GOLDEN_CONTENT,
    GOLDEN_NOW,
    GOLDEN_SITE_URL,
    copy_tree,
    env,
    write_item,
    write_picture,
)

NEW_ITEM = """
title: Visite du chantier du Grand Paris
date: 2026-11-20
summary: Une visite organisée par le groupe Île-de-France.
image: visite-chantier/photo.jpg
image_alt: Le chantier vu d'en haut
"""


@pytest.fixture
def paths(tmp_path: Path) -> SitePaths:
    paths = SitePaths(
        content=tmp_path / "content",
        output=tmp_path / "out" / "output",
        builds=tmp_path / "out" / "builds",
        cache=tmp_path / "out" / "cache",
    )
    copy_tree(GOLDEN_CONTENT, paths.content)
    return paths


@pytest.fixture
def golden_env() -> Iterator[None]:
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        yield


def make_builder(paths: SitePaths, s3: S3Server, bucket: str, **kwargs) -> SiteBuilder:
    deployer = S3Deployer(target(s3, bucket, prefix="site"), paths.builds, **kwargs)
    return SiteBuilder(paths, deploy=deployer)


def assert_bucket_is_the_tree(s3: S3Server, bucket: str, paths: SitePaths) -> None:
    assert bucket_files(s3, bucket, "site/") == tree_files(paths.output)


def test_first_deploy_sends_the_whole_site_with_its_types_and_cache_headers(
    paths, s3, bucket, golden_env
):
    result = make_builder(paths, s3, bucket).full_build()
    assert_bucket_is_the_tree(s3, bucket, paths)
    assert result.deployed == len(tree_files(paths.output))
    expected = {
        "index.html": ("text/html; charset=utf-8", CACHE_SHORT),
        "actualites/prix-jeune-ingenieure/index.html": ("text/html; charset=utf-8", CACHE_SHORT),
        "actualites/prix-jeune-ingenieure/hero.jpg": ("image/jpeg", CACHE_ASSET),
        "feeds/all.atom.xml": ("application/atom+xml; charset=utf-8", CACHE_SHORT),
        "feeds/all.rss.xml": ("application/rss+xml; charset=utf-8", CACHE_SHORT),
        "sitemap.xml": ("application/xml; charset=utf-8", CACHE_SHORT),
        "theme/css/site.css": ("text/css; charset=utf-8", CACHE_ASSET),
        "evenements/agenda.ics": ("text/calendar; charset=utf-8", CACHE_SHORT),
        "recherche/index/shards.json": ("application/json; charset=utf-8", CACHE_SHORT),
    }
    for path, (kind, cache) in expected.items():
        answer = head(s3, bucket, f"site/{path}")
        assert (answer["ContentType"], answer["CacheControl"]) == (kind, cache), path
    fingerprinted = [p for p in tree_files(paths.output) if p.endswith(".pf_fragment")]
    assert fingerprinted
    assert head(s3, bucket, f"site/{fingerprinted[0]}")["CacheControl"] == CACHE_IMMUTABLE


def test_an_edit_sends_only_the_files_that_changed(paths, s3, bucket, golden_env):
    builder = make_builder(paths, s3, bucket)
    builder.full_build()
    before = {
        o["Key"]: o["LastModified"] for o in client(s3).list_objects_v2(Bucket=bucket)["Contents"]
    }
    s3.clear_log()
    item = paths.content / "parcours" / "de-stagiaire-a-cto.md"
    item.write_text(item.read_text().replace("\n---\n", "\n---\nUn paragraphe ajouté.\n\n", 1))
    result = builder.update(["parcours/de-stagiaire-a-cto.md"])
    assert result.kind == "incremental"
    sent = s3.puts()
    assert "site/parcours/de-stagiaire-a-cto/index.html" in sent
    assert len(sent) == len(set(sent)) <= result.deployed  # sent once; deletions beside
    # a handful of files, not the site: the picture, the style sheet, other items are not sent
    assert len(sent) < len(before) / 3
    assert not any(k.endswith((".jpg", ".css")) or "/actualites/" in k for k in sent)
    assert_bucket_is_the_tree(s3, bucket, paths)
    after = client(s3).list_objects_v2(Bucket=bucket)["Contents"]
    unchanged = [
        o
        for o in after
        if o["Key"] not in sent and o["Key"] in before and not o["Key"].endswith(MARKER)
    ]
    assert unchanged and all(o["LastModified"] == before[o["Key"]] for o in unchanged)
    # the same content again: the builder renders the item's page again, the same bytes: no
    # page goes up (only search files whose names Pagefind may order differently could)
    s3.clear_log()
    builder.update(["parcours/de-stagiaire-a-cto.md"])
    assert not [k for k in s3.puts() if k.endswith((".html", ".xml"))]


def test_new_files_go_up_before_the_pages_that_link_to_them(paths, s3, bucket, golden_env):
    builder = make_builder(paths, s3, bucket)
    builder.full_build()
    s3.clear_log()
    write_picture(paths.content / "actualites" / "visite-chantier" / "photo.jpg")
    write_item(paths.content, "actualites", "visite-chantier", NEW_ITEM)
    builder.update(["actualites/visite-chantier.md", "actualites/visite-chantier"])
    sent = [k.removeprefix("site/") for k in s3.puts()]
    assert "actualites/visite-chantier/photo.jpg" in sent
    pages = set(builder.owners) | builder.page_outputs
    tiers = [tier(p, pages) for p in sent]
    assert tiers == sorted(tiers), list(zip(sent, tiers, strict=True))
    position = {p: i for i, p in enumerate(sent)}
    page = "actualites/visite-chantier/index.html"
    assert position["actualites/visite-chantier/photo.jpg"] < position[page]
    assert position[page] < position["actualites/index.html"] < position["feeds/all.atom.xml"]
    assert position[page] < position["index.html"]
    assert {ASSETS, PAGES, LISTINGS, FEEDS} <= set(tiers)
    assert_bucket_is_the_tree(s3, bucket, paths)


def test_an_unpublished_item_is_deleted_after_everything_else_went_up(
    paths, s3, bucket, golden_env
):
    builder = make_builder(paths, s3, bucket)
    builder.full_build()
    before = bucket_files(s3, bucket, "site/")["actualites/prix-jeune-ingenieure/index.html"]
    before = before.decode()
    s3.clear_log()
    (paths.content / "actualites" / "prix-jeune-ingenieure.md").unlink()
    shutil.rmtree(paths.content / "actualites" / "prix-jeune-ingenieure")
    builder.update(["actualites/prix-jeune-ingenieure.md", "actualites/prix-jeune-ingenieure"])
    requests = [(r.method, r.key) for r in s3.log if r.key]
    # the removal is one DeleteObjects request (a POST on the bucket), after every upload
    deletes = [i for i, r in enumerate(s3.log) if r.method == "POST" and not r.key]
    uploads = [i for i, (m, k) in enumerate(requests) if m == "PUT"]
    assert len(deletes) == 1 and uploads
    last_upload = max(
        i for i, r in enumerate(s3.log) if r.method == "PUT" and not r.key.endswith(MARKER)
    )
    assert deletes[0] > last_upload
    files = bucket_files(s3, bucket, "site/")
    assert "actualites/prix-jeune-ingenieure/hero.jpg" not in files
    # the address keeps answering: the item's page became its "retiré" page
    page = files["actualites/prix-jeune-ingenieure/index.html"].decode()
    assert page != before and "retiré" in page
    assert_bucket_is_the_tree(s3, bucket, paths)


def test_a_deploy_cut_midway_is_finished_by_the_next_build(paths, s3, bucket, golden_env):
    builder = make_builder(paths, s3, bucket)
    s3.fail_after = 10  # the storage stops answering after ten uploads
    with pytest.raises(DeployError) as failure:
        builder.full_build()
    message = str(failure.value)
    assert "the next build sends the rest" in message and "RELAIS_S3_" in message
    assert "relais-test-secret-value" not in message
    s3.heal()
    partial = bucket_files(s3, bucket, "site/")
    assert 0 < len(partial) < len(tree_files(paths.output))
    # the local site did go live: the next build finds nothing new in the content, yet sends
    # what the cut deploy left
    s3.clear_log()
    result = builder.update()
    assert result.kind == "none" and result.deployed > 0
    assert not set(s3.puts()) & {f"site/{p}" for p in partial}  # what was sent is not resent
    assert_bucket_is_the_tree(s3, bucket, paths)


def test_a_deploy_to_a_stopped_server_is_resumed_by_the_next_publication(
    paths, s3, bucket, golden_env
):
    builder = make_builder(paths, s3, bucket)
    builder.full_build()
    s3.stop()
    write_item(paths.content, "actualites", "sans-photo", "title: Sans photo\ndate: 2026-11-21")
    with pytest.raises(DeployError):
        builder.update(["actualites/sans-photo.md"])
    s3.start()  # the same port: moto keeps its buckets in this process
    write_item(paths.content, "parcours", "second", "title: Second\ndate: 2026-11-22")
    builder.update(["parcours/second.md"])
    files = bucket_files(s3, bucket, "site/")
    assert "actualites/sans-photo/index.html" in files and "parcours/second/index.html" in files
    assert_bucket_is_the_tree(s3, bucket, paths)


def test_a_lost_bucket_gets_the_whole_site_again(paths, s3, bucket, golden_env):
    builder = make_builder(paths, s3, bucket)
    builder.full_build()
    s3c = client(s3)
    for obj in s3c.list_objects_v2(Bucket=bucket)["Contents"]:
        s3c.delete_object(Bucket=bucket, Key=obj["Key"])
    write_item(paths.content, "actualites", "apres-perte", "title: Après\ndate: 2026-11-21")
    builder.update(["actualites/apres-perte.md"])
    assert_bucket_is_the_tree(s3, bucket, paths)


def test_a_stale_object_left_by_another_machine_is_removed(paths, s3, bucket, golden_env):
    builder = make_builder(paths, s3, bucket)
    builder.full_build()
    s3c = client(s3)
    s3c.put_object(Bucket=bucket, Key="site/ancien/index.html", Body=b"old")
    s3c.put_object(Bucket=bucket, Key="site/.relais-deploy.json", Body=b'{"token": "other"}')
    s3c.put_object(Bucket=bucket, Key="site/sud/index.html", Body=b"another association")
    builder.deployer.target = target(s3, bucket, prefix="site", exclude=("sud/",))
    write_item(paths.content, "actualites", "apres", "title: Après\ndate: 2026-11-21")
    builder.update(["actualites/apres.md"])
    files = bucket_files(s3, bucket, "site/")
    assert files.pop("sud/index.html") == b"another association"
    assert files == tree_files(paths.output)


def test_the_cdn_purge_hook_gets_the_changed_addresses(
    paths, s3, bucket, golden_env, purge_receiver
):
    purge = http_purge(purge_receiver.url, GOLDEN_SITE_URL, token="cdn-token")
    builder = make_builder(paths, s3, bucket, purge=purge)
    builder.full_build()
    s3.clear_log()
    purge_receiver.calls.clear()
    purge_receiver.headers.clear()
    write_item(paths.content, "actualites", "purgee", "title: Purgée\ndate: 2026-11-21")
    builder.update(["actualites/purgee.md"])
    [call] = purge_receiver.calls
    assert call["site"] == GOLDEN_SITE_URL
    assert "/actualites/purgee/" in call["paths"]
    assert "/actualites/purgee/index.html" in call["paths"]
    assert "/" in call["paths"] and "/feeds/all.atom.xml" in call["paths"]
    assert f"{GOLDEN_SITE_URL}/actualites/purgee/" in call["urls"]
    sent = {f"/{k.removeprefix('site/')}" for k in s3.puts()}
    assert sent <= set(call["paths"])
    assert purge_receiver.headers[0]["Authorization"] == "Bearer cdn-token"


def test_a_failed_purge_is_a_warning_not_a_failure(paths, s3, bucket, golden_env):
    def purge(paths: list[str]) -> None:
        raise RuntimeError("CDN down")

    result = make_builder(paths, s3, bucket, purge=purge).full_build()
    assert any("CDN purge failed" in w for w in result.warnings)
    assert_bucket_is_the_tree(s3, bucket, paths)


@pytest.mark.parametrize(
    ("path", "kind", "cache"),
    [
        ("index.html", "text/html; charset=utf-8", CACHE_SHORT),
        ("feeds/tags/gala.rss.xml", "application/rss+xml; charset=utf-8", CACHE_SHORT),
        ("robots.txt", "text/plain; charset=utf-8", CACHE_SHORT),
        ("actualites/x/photo.webp", "image/webp", CACHE_ASSET),
        ("actualites/x/photo.png", "image/png", CACHE_ASSET),
        ("theme/favicon.svg", "image/svg+xml; charset=utf-8", CACHE_ASSET),
        ("theme/js/search.js", "text/javascript; charset=utf-8", CACHE_ASSET),
        (
            "recherche/index/2026/fragment/fr_1a2b3c4.pf_fragment",
            "application/octet-stream",
            CACHE_IMMUTABLE,
        ),
    ],
)
def test_types_and_cache_headers(path, kind, cache):
    assert (content_type(path), cache_control(path)) == (kind, cache)
