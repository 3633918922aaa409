"""The ambassador's personal page and the one-click unsubscribe, public, on the CMS host.

The page is reached by its private token only: a wrong or inactive one is not found. It is
never indexed, never cached by a shared cache, and sends no ``Referer`` (its address is the
key) to the networks its links open.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cms.federation.models import Association

from .models import Ambassador
from .sharing import mastodon_host, page_items


def ambassador_for(token: str) -> Ambassador:
    found = Ambassador.objects.select_related("site").filter(token=token, active=True).first()
    if found is None:
        raise Http404
    return found


def private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def personal_page(request: HttpRequest, token: str) -> HttpResponse:
    ambassador = ambassador_for(token)
    mastodon = mastodon_host(request.GET.get("mastodon"))
    context = {
        "ambassador": ambassador,
        "association": Association.for_site(ambassador.site_id),
        "items": page_items(ambassador, mastodon),
        "mastodon": mastodon or ambassador.mastodon_server,
    }
    return private(render(request, "ambassadors/page.html", context))


@csrf_exempt  # one click from a mail client (RFC 8058): the token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners of mail servers open links); POST stops the mail."""
    ambassador = ambassador_for(token)
    done = False
    if request.method == "POST":
        Ambassador.objects.filter(pk=ambassador.pk).update(weekly_email=False)
        done = True
    context = {"ambassador": ambassador, "done": done}
    return private(render(request, "ambassadors/unsubscribe.html", context))
