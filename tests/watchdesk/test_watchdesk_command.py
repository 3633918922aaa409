"""``manage.py watch add`` and ``watch check [--json]``: a source added by its address, one
cycle run now with each source's address, ok or error with the reason, and its new entries."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from cms.watch.models import Source


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("watch", *args, stdout=out)
    return out.getvalue()


def test_add_then_check(two, web):
    web.route("/panne", status=503, content_type="text/plain")
    assert run("add", web.url("/presse.rss"), "--site", "b.example.org") == (
        f"added {web.url('/presse.rss')} (feed) to b.example.org\n"
    )
    assert Source.objects.get().site == two["b"]["site"]
    run("add", web.url("/classement"), "--kind", "page")  # the default site: A's
    Source.objects.create(site=two["a"]["site"], url=web.url("/panne"))
    lines = run("check").splitlines()
    assert f"{web.url('/presse.rss')}\tok\t4 new" in lines
    assert f"{web.url('/classement')}\tok\t0 new" in lines
    assert (
        f"{web.url('/panne')}\terror: le serveur répond « 503 erreur du serveur » : il sera "
        "réessayé plus tard\t0 new"
    ) in lines
    assert run("check") == "no source due\n"
    rows = json.loads(run("check", "--json", "--force", "--site", "alumni-b"))
    assert [(r["url"], r["status"], r["new_entries"]) for r in rows] == [
        (web.url("/presse.rss"), "ok", 0)
    ]


def test_add_refuses_with_the_reason(two, web, settings):
    settings.RELAIS_WATCH_ALLOW_PRIVATE = ""
    with pytest.raises(CommandError, match="n'est pas en https"):
        run("add", web.url("/presse.rss"))
    with pytest.raises(CommandError, match="ni identifiant ni mot de passe") as refused:
        run("add", "https://moi:secret@presse.example/flux.rss")
    assert "secret" not in str(refused.value)
    with pytest.raises(CommandError, match="No site 'zzz'"):
        run("add", web.url("/presse.rss"), "--site", "zzz")
    assert not Source.objects.exists()
