"""The public side of the newsletter, on the CMS host (like the sign-up page and the counter):

- ``/n/<association>/abonnement/``: the subscribe form of the static site posts here (GET shows
  the same form, for a visitor who arrives without it). Rate-limited per client address and per
  e-mail address (:mod:`cms.core.ratelimit`), with the sign-up form's honeypot; the answer is
  the same whether the address was known or not.
- ``/n/confirmer/<token>/``: GET shows a "Confirmer" button, POST confirms (a link scanner that
  opens every link of a mail does not subscribe anyone).
- ``/n/desabonnement/<token>/``: GET shows a button, POST unsubscribes — the one-click POST of
  RFC 8058 (``List-Unsubscribe=One-Click``) from mail programs included.

The forms come from other hosts (the static site, mail programs): these views are exempt from
CSRF; the token or the rate limits protect them.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cms.core import ratelimit
from cms.core.models import AssociationSettings
from cms.federation.models import Association

from . import subscriptions
from .models import NewsletterSettings, Subscriber

HONEYPOT = "site_web"


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Votre adresse e-mail"), max_length=254)
    name = forms.CharField(
        label=gettext_lazy("Votre nom (facultatif)"), max_length=150, required=False
    )


def _page(request: HttpRequest, template: str, site_id: int, status: int = 200, **context):
    association = Association.objects.select_related("site").get(site_id=site_id)
    context.update(
        association=AssociationSettings.for_site(association.site).name
        or association.site.site_name,
        site_url=association.public_url + "/",
        honeypot=HONEYPOT,
    )
    response = TemplateResponse(request, f"newsletter/public/{template}", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


def allowed(scope: str, value: str) -> bool:
    attempts, seconds = settings.RELAIS_NEWSLETTER_RATE_LIMITS[scope]
    return ratelimit.allow(f"newsletter-{scope}", value, int(attempts), int(seconds))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    association = get_object_or_404(Association, slug=slug)
    site_id = association.site_id
    if NewsletterSettings.for_site(site_id).frequency == NewsletterSettings.Frequency.OFF:
        return _page(request, "closed.html", site_id, status=404)
    if request.method != "POST":
        return _page(request, "subscribe.html", site_id, form=SubscribeForm(), slug=slug)
    form = SubscribeForm(request.POST)
    if not allowed("ip", ratelimit.client_ip(request)):
        refusal = _(
            "Trop de demandes sont venues de votre connexion en peu de temps. Réessayez dans "
            "une heure."
        )
        return _page(request, "subscribe.html", site_id, 429, form=form, slug=slug, refusal=refusal)
    if request.POST.get(HONEYPOT, "").strip():
        refusal = _(
            "Votre demande n'a pas été enregistrée : le champ réservé à la détection des "
            "robots était rempli. Laissez-le vide et envoyez de nouveau le formulaire."
        )
        return _page(request, "subscribe.html", site_id, 400, form=form, slug=slug, refusal=refusal)
    if not form.is_valid():
        return _page(request, "subscribe.html", site_id, 400, form=form, slug=slug)
    email = form.cleaned_data["email"]
    if allowed("email", email):
        subscriptions.subscribe(site_id, email, form.cleaned_data["name"], Subscriber.Source.SITE)
    # The same answer either way: the page says nothing of who is subscribed
    return _page(request, "check_mailbox.html", site_id, email=email)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = Subscriber.objects.filter(confirm_token=token).first()
    if subscriber is None:
        raise Http404
    if request.method == "POST":
        subscriber = subscriptions.confirm(token)
        return _page(request, "confirmed.html", subscriber.site_id, subscriber=subscriber)
    return _page(request, "confirm.html", subscriber.site_id, subscriber=subscriber)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = Subscriber.objects.filter(unsubscribe_token=token).first()
    if subscriber is None:
        raise Http404
    if request.method == "POST":
        subscriptions.unsubscribe(token)
        return _page(request, "unsubscribed.html", subscriber.site_id)
    return _page(request, "unsubscribe.html", subscriber.site_id, subscriber=subscriber)
