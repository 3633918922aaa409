"""Answering a survey (public, on the CMS host, like the sign-up page: the site's invitation
links here) and its results in the admin.

**Answering** (``/enquetes/<id>/`` and ``/enquetes/<id>/<token>/``). A survey "réservé aux
adhérents" is answered through a personal token link only, once: the token is marked used (to
the day) in the same transaction as the answer is stored, and the answer itself carries no
token, so nobody can tell whose answer it is. A second use of the token says "already
answered" (answers are not edited: editing would need the link between person and answer that
is never kept). An open survey is anonymous: nothing about the person is stored; a signed
cookie marks the browser that answered (another answer from it is refused) and a rate limit
per client address (:mod:`cms.core.ratelimit`, keyed hashes in a window, never the address)
bounds floods. A survey not yet open or closed says so; bad input shows the form again with
every typed value and the errors.

**Results** (``/admin/surveys/<page_id>/``): per question a chart of the counts (the
statistics' charts) and the table of the same numbers, the free texts listed; links to
Wagtail's listing of the answers and its CSV export; sending the invitations; creating the
results article. Only people who may edit the survey see them (another association's survey
is not found: its ``page_id`` is checked by the federation's middleware).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin.auth import require_admin_access

from cms.core import ratelimit
from cms.core.models import AssociationSettings

from . import tasks
from .article import create_results_article
from .invitations import counts
from .models import SurveyInvitation, SurveyPage
from .results import tally

COOKIE = "relais_survey_{}"
COOKIE_SALT = "relais.surveys.answered"


# -- answering ------------------------------------------------------------------------------------


def private(response: HttpResponse) -> HttpResponse:
    """The form's address may carry a personal token: never indexed or cached, and sent as a
    referrer to the CMS itself only (``same-origin``: with ``no-referrer`` browsers post the form
    with ``Origin: null``, which the CSRF protection refuses)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def render_survey(
    request: HttpRequest,
    survey: SurveyPage,
    *,
    form: Any = None,
    message: str = "",
    status: int = 200,
    template: str = "surveys/survey_page.html",
) -> HttpResponse:
    site = survey.get_site()
    context = {
        "page": survey,
        "survey": survey,
        "form": form,
        "message": message,
        "association": AssociationSettings.for_site(site).name or site.site_name,
    }
    return private(TemplateResponse(request, template, context, status=status))


def already_answered(survey: SurveyPage) -> str:
    return _(
        "Vous avez déjà répondu à cette enquête : merci ! Une seule réponse par personne est "
        "comptée, et elle ne peut plus être modifiée."
    )


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, pk: int, token: str = "") -> HttpResponse:
    survey = SurveyPage.objects.live().filter(pk=pk).first()
    if survey is None:
        raise Http404
    invitation = None
    if token:
        invitation = SurveyInvitation.objects.filter(survey=survey, token=token).first()
        if invitation is None:
            return render_survey(
                request,
                survey,
                status=404,
                message=_(
                    "Ce lien personnel n'est pas valide pour cette enquête : vérifiez que "
                    "l'adresse est complète, ou ouvrez le lien depuis l'e-mail reçu."
                ),
            )
    if survey.members_only and invitation is None:
        return render_survey(
            request,
            survey,
            status=403,
            message=_(
                "Cette enquête est réservée aux adhérents : répondez avec le lien personnel "
                "reçu par e-mail. Vous ne l'avez pas reçu ? Abonnez-vous aux nouvelles de "
                "l'association pour recevoir les prochaines."
            ),
        )
    state = survey.state()
    if state != "open":
        message = (
            _("Cette enquête n'est pas encore ouverte : revenez à partir du %(date)s.")
            % {"date": timezone.localtime(survey.opens_at).strftime("%d/%m/%Y %H:%M")}
            if state == "not_yet"
            else _("Cette enquête est close : elle ne reçoit plus de réponses. Merci !")
        )
        return render_survey(
            request, survey, status=403 if state == "not_yet" else 410, message=message
        )
    cookie = COOKIE.format(survey.pk)
    answered_here = request.get_signed_cookie(cookie, default=None, salt=COOKIE_SALT) == "1"
    if (invitation is not None and invitation.answered_on) or (
        invitation is None and answered_here
    ):
        return render_survey(request, survey, status=409, message=already_answered(survey))

    if request.method != "POST":
        return render_survey(request, survey, form=survey.get_form(page=survey, user=None))
    form = survey.get_form(request.POST, page=survey, user=None)
    if not form.is_valid():
        return render_survey(request, survey, form=form, status=400)
    if invitation is None:
        attempts, seconds = settings.RELAIS_SURVEY_ANSWERS_PER_ADDRESS
        if not ratelimit.allow(
            f"survey-{survey.pk}", ratelimit.client_ip(request), attempts, seconds
        ):
            return render_survey(
                request,
                survey,
                form=form,
                status=429,
                message=_(
                    "Beaucoup de réponses sont venues de votre connexion en peu de temps : "
                    "votre réponse n'a pas été enregistrée. Réessayez dans une heure, vos "
                    "réponses sont toujours dans le formulaire."
                ),
            )
    with transaction.atomic():
        if invitation is not None:
            used = SurveyInvitation.objects.filter(pk=invitation.pk, answered_on=None).update(
                answered_on=timezone.localdate()
            )
            if not used:  # the same link sent twice at once: one answer only
                return render_survey(request, survey, status=409, message=already_answered(survey))
        survey.process_form_submission(form)
    response = render_survey(request, survey, template="surveys/survey_page_landing.html")
    if invitation is None:
        response.set_signed_cookie(
            cookie,
            "1",
            salt=COOKIE_SALT,
            max_age=365 * 24 * 3600,
            path=request.path,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


# -- results in the admin -------------------------------------------------------------------------


def survey_for(request: HttpRequest, page_id: int, *, publish: bool = False) -> SurveyPage:
    survey = get_object_or_404(SurveyPage, pk=page_id)
    perms = survey.permissions_for_user(request.user)
    if not (perms.can_publish() if publish else perms.can_edit()):
        raise PermissionDenied
    return survey


@require_admin_access
def results(request: HttpRequest, page_id: int) -> TemplateResponse:
    survey = survey_for(request, page_id)
    questions = tally(survey)
    charts = [
        {"key": f"q{r.question.pk}", "svg": r.chart(), "table": r.table(), "result": r}
        for r in questions
        if r.question.counted
    ]
    context = {
        "survey": survey,
        "page_title": _("Résultats : %(title)s") % {"title": survey.title},
        "header_title": _("Résultats : %(title)s") % {"title": survey.title},
        "answers": survey.get_submissions().count(),
        "questions": questions,
        "charts": charts,
        "texts": [r for r in questions if not r.question.counted],
        "invitations": counts(survey),
        "remind_at": survey.remind_at(),
        "can_publish": survey.permissions_for_user(request.user).can_publish(),
        "submissions_url": reverse("wagtailforms:list_submissions", args=[survey.pk]),
        "state": survey.state(),
    }
    return TemplateResponse(request, "surveys/admin/results.html", context)


@require_admin_access
@require_POST
def invite(request: HttpRequest, page_id: int) -> HttpResponse:
    survey = survey_for(request, page_id, publish=True)
    if not survey.live or survey.state() == "closed":
        messages.error(
            request,
            _(
                "Les invitations partent pour une enquête publiée et pas encore close : "
                "publiez-la (ou repoussez sa clôture), puis recommencez."
            ),
        )
    else:
        transaction.on_commit(lambda: tasks.send_invitations.enqueue(survey.pk))
        messages.success(
            request,
            _(
                "Les invitations partent vers les abonné·es confirmé·es des nouvelles, au rythme "
                "de la lettre. Les personnes déjà invitées ne reçoivent rien de plus."
            ),
        )
    return redirect("surveys_results", page_id=survey.pk)


@require_admin_access
@require_POST
def results_article(request: HttpRequest, page_id: int) -> HttpResponse:
    survey = survey_for(request, page_id)
    if not survey.get_parent().permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    try:
        article = create_results_article(survey, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys_results", page_id=survey.pk)
    messages.success(
        request,
        _(
            "Le brouillon de l'article de résultats est prêt : relisez-le, puis publiez-le "
            "comme tout article."
        ),
    )
    return redirect("wagtailadmin_pages:edit", article.pk)
