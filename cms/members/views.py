"""Serving the sign-up page: GET shows the form with its attribution; POST goes through the
protections (per-address limit, honeypot, validation, per-e-mail limit) before anything is
stored. A rejected attempt stores nothing and says what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.core.models import AssociationSettings

from . import protection
from .attribution import (
    first_touch_cookie,
    forget_first_touch,
    remember_first_touch,
    sign,
    touch_from_request,
)

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from .forms import SignUpForm
    from .models import SignUpPage


def render_form(
    page: SignUpPage, request: HttpRequest, form: SignUpForm, status: int = 200, message: str = ""
) -> TemplateResponse:
    context = page.get_context(request)
    context.update(form=form, honeypot=protection.HONEYPOT, refusal=message)
    return TemplateResponse(request, page.get_template(request), context, status=status)


def contact_hint(page: SignUpPage) -> str:
    site = page.get_site()
    email = AssociationSettings.for_site(site).contact_email if site else ""
    return _(" ou écrivez-nous à %(email)s") % {"email": email} if email else ""


def serve_signup_page(page: SignUpPage, request: HttpRequest) -> HttpResponse:
    path = request.path  # the cookie is sent to the sign-up page only
    if request.method != "POST":
        touch = touch_from_request(request, timezone.localdate())
        known_first = first_touch_cookie(request)
        form = page.get_form_class()(
            initial={"first_touch": sign(known_first or touch), "last_touch": sign(touch)}
        )
        response = render_form(page, request, form)
        if known_first is None:
            remember_first_touch(response, request, touch, path)
        return response

    form = page.get_form_class()(request.POST)
    if not protection.allow("ip", protection.client_ip(request)):
        return render_form(
            page,
            request,
            form,
            429,
            _(
                "Trop de demandes ont été envoyées depuis votre connexion en peu de temps. "
                "Réessayez dans une heure%(contact)s."
            )
            % {"contact": contact_hint(page)},
        )
    if request.POST.get(protection.HONEYPOT, "").strip():
        return render_form(
            page,
            request,
            form,
            400,
            _(
                "Votre demande n'a pas été enregistrée : le champ « Ne remplissez pas ce champ », "
                "réservé à la détection des robots, était rempli. Laissez-le vide et envoyez de "
                "nouveau le formulaire."
            ),
        )
    if not form.is_valid():
        return render_form(page, request, form)
    if not protection.allow("email", form.cleaned_data["email"]):
        form.add_error(
            "email",
            _(
                "Nous avons déjà reçu plusieurs demandes avec cette adresse aujourd'hui : inutile "
                "de recommencer, nous vous répondrons par e-mail. Si rien n'arrive d'ici demain, "
                "réessayez%(contact)s."
            )
            % {"contact": contact_hint(page)},
        )
        return render_form(page, request, form, 429)
    signup = page.process_form_submission(form)
    response = page.render_landing_page(request, signup)
    forget_first_touch(response, path)
    return response
