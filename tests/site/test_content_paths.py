"""Paths written in content files stay inside content/: pictures, links in bodies, symbolic
links. The refusal reads the same whether or not the target exists (no oracle)."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from relais.buildconfig import BuildError, SitePaths
from relais.contentfile import ContentFileError, load
from relais.contentpaths import OUTSIDE_CONTENT, links_leading_outside
from relais.incremental import SiteBuilder
from tests.support import GOLDEN_NOW, GOLDEN_SITE_URL, env, write_item, write_picture

ESCAPES = [
    "../../etc/passwd",
    "../../../../../../etc/passwd",
    "/etc/passwd",
    "a/../../../secret.jpg",
    "..\\..\\etc\\passwd",
    "../..",
]


def item(field: str, value: str) -> str:
    return (
        f"---\ntitle: Un article\ndate: 2026-01-01\n{field}: '{value}'\nimage_alt: Une photo\n---\n"
    )


@pytest.mark.parametrize("field", ["image", "image_social"])
@pytest.mark.parametrize("path", ESCAPES)
def test_a_picture_path_leaving_content_is_refused(field, path):
    with pytest.raises(ContentFileError) as err:
        load(item(field, path), "actualites/un-article.md")
    assert err.value.field == field
    assert err.value.message == OUTSIDE_CONTENT


def test_a_picture_path_inside_content_is_kept():
    # a picture shared by several items, in another folder of content/
    loaded = load(item("image_social", "../partage/carte.jpg"), "actualites/un-article.md")
    assert loaded.image_social == "../partage/carte.jpg"


@pytest.fixture
def outside(site_paths):
    """A secret beside the content folder, and a name there that does not exist."""
    folder = site_paths.content.parent / "ailleurs"
    folder.mkdir(parents=True)
    (folder / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    write_picture(folder / "photo.jpg")
    return folder


def errors_of(build) -> list[str]:
    with pytest.raises(BuildError) as err:
        build()
    return err.value.errors


def published(site_paths) -> str:
    found = []
    for root in (site_paths.builds, site_paths.content.parent):
        for path in root.rglob("*"):
            if (
                path.is_file()
                and not path.is_symlink()
                and "TOP SECRET" in path.read_text("latin-1")
            ):
                found.append(str(path))
    return "\n".join(found)


@pytest.mark.parametrize(
    "body",
    [
        "![x](../../ailleurs/secret.txt)",
        "[x](../../ailleurs/secret.txt)",
        "![x]({static}../../ailleurs/secret.txt)",
        "![x]({static}/../ailleurs/secret.txt)",
        "![x]({attach}../../ailleurs/secret.txt)",
        "[x]({filename}../../ailleurs/secret.txt)",
        "![x](%2e%2e/%2e%2e/ailleurs/secret.txt)",
        "![x]({static}%2e%2e/%2e%2e/ailleurs/secret.txt)",
        '<img alt="x" src="{static}&#46;&#46;/&#46;&#46;/ailleurs/secret.txt">',
    ],
)
def test_a_body_link_leaving_content_is_refused_and_nothing_is_copied(
    site_paths, build, outside, body
):
    write_item(site_paths.content, "actualites", "fuite", "title: x\ndate: 2026-01-01", body=body)
    errors = errors_of(build)
    assert any(
        e.startswith("content/actualites/fuite.md: field 'body'") and OUTSIDE_CONTENT in e
        for e in errors
    ), errors
    assert published(site_paths) == str(outside / "secret.txt")


def test_the_same_refusal_whether_the_file_exists_or_not(site_paths, build, outside):
    messages = []
    for target in ("secret.txt", "absent.txt"):
        shutil.rmtree(site_paths.content, ignore_errors=True)
        write_item(
            site_paths.content,
            "actualites",
            "fuite",
            "title: x\ndate: 2026-01-01\nimage: fuite/photo.jpg\nimage_alt: x",
            body=f"![x]({{static}}../../ailleurs/{target})",
        )
        messages.append([e.replace(target, "…") for e in errors_of(build)])
        # a symbolic link in content/ towards the outside, as a picture
        (site_paths.content / "actualites" / "fuite").mkdir()
        os.symlink(outside / target, site_paths.content / "actualites" / "fuite" / "photo.jpg")
        (site_paths.content / "actualites" / "fuite.md").write_text(
            "---\ntitle: x\ndate: 2026-01-01\nimage: fuite/photo.jpg\nimage_alt: x\n---\n",
            encoding="utf-8",
        )
        messages.append(errors_of(build))
    assert messages[0] == messages[2] and messages[1] == messages[3]
    assert messages[1] == [f"content/actualites/fuite/photo.jpg: {OUTSIDE_CONTENT}"]
    assert "ailleurs" not in "".join(messages[1])


def test_a_symbolic_link_leading_outside_is_refused_before_pelican_reads_it(
    site_paths, build, outside
):
    write_item(site_paths.content, "actualites", "a", "title: A\ndate: 2026-01-01")
    first = build()
    # a folder of pictures that is a link to somewhere else: Pelican would walk into it
    os.symlink(outside, site_paths.content / "actualites" / "a")
    assert errors_of(build) == [f"content/actualites/a: {OUTSIDE_CONTENT}"]
    assert site_paths.output.resolve() == first.output_dir
    assert published(site_paths) == str(outside / "secret.txt")
    # a link that stays inside content/ is fine
    (site_paths.content / "actualites" / "a").unlink()
    write_picture(site_paths.content / "media" / "logo.jpg")
    os.symlink(site_paths.content / "media", site_paths.content / "actualites" / "a")
    build()
    assert (site_paths.output / "actualites" / "a" / "logo.jpg").is_file()


def test_an_update_refuses_a_picture_leading_outside(tmp_path):
    """The worker's path: an incremental update refuses, publishes nothing, and copies
    nothing, whether the link is named in the update or only reached through the item."""
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    secret = tmp_path / "ailleurs" / "photo.jpg"
    write_picture(secret)
    write_item(paths.content, "actualites", "a", "title: A\ndate: 2026-01-01")
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        generation = builder.store.generation()
        (paths.content / "actualites" / "a").mkdir()
        os.symlink(secret, paths.content / "actualites" / "a" / "photo.jpg")
        write_item(
            paths.content,
            "actualites",
            "a",
            "title: A\ndate: 2026-01-01\nimage: a/photo.jpg\nimage_alt: x",
        )
        for changed in (["actualites/a.md", "actualites/a"], ["actualites/a.md"]):
            with pytest.raises(BuildError) as err:
                builder.update(changed)
            assert any(OUTSIDE_CONTENT in e for e in err.value.errors), err.value.errors
            assert not any("ailleurs" in e for e in err.value.errors)
            assert builder.store.generation() == generation
    copies = [p for p in (tmp_path / "site").rglob("photo.jpg")]
    assert copies == []


def test_an_update_refuses_a_missing_picture_as_a_full_build_does(tmp_path):
    paths = SitePaths.at(tmp_path / "content", tmp_path / "site" / "output")
    write_item(paths.content, "actualites", "a", "title: A\ndate: 2026-01-01")
    with env(RELAIS_SITE_URL=GOLDEN_SITE_URL, RELAIS_BUILD_NOW=GOLDEN_NOW):
        builder = SiteBuilder(paths)
        builder.full_build()
        generation = builder.store.generation()
        write_item(
            paths.content,
            "actualites",
            "a",
            "title: A\ndate: 2026-01-01\nimage: a/x.jpg\nimage_alt: x",
        )
        with pytest.raises(BuildError, match=re.escape("field 'image': file actualites/a/x.jpg")):
            builder.update(["actualites/a.md"])
        assert builder.store.generation() == generation


def test_links_leading_outside_are_found_however_deep_and_loops_end(tmp_path):
    content, elsewhere = tmp_path / "content", tmp_path / "ailleurs"
    (content / "actualites" / "b").mkdir(parents=True)
    (content / ".cache").mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, content / ".cache" / "x")  # hidden: the site never reads it…
    os.symlink(content / ".cache", content / "actualites" / "a")  # …unless a link leads there
    os.symlink(content / "actualites", content / "actualites" / "b" / "boucle")
    os.symlink(tmp_path / "absent", content / "actualites" / "cassé")
    os.symlink("../b", content / "actualites" / "b" / "relatif")
    assert links_leading_outside(content) == ["actualites/a/x", "actualites/cassé"]
