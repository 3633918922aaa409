"""The desk in the admin (Conversations): the listing of one association's messages, newest
first, with its filters and bulk dismissal; one message with its thread, the answer box (counted
as its network counts), the assignment and the actions; the person's preferences.

Every view shows the chosen site's messages only (:func:`cms.federation.scope.chosen_site`);
a message of another association is not found (404), also through its own address.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView, View
from wagtail.admin import messages as flash
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.federation.scope import chosen_site, in_scope, sites_for
from cms.social.crypto import CredentialsUnreadable
from syndication.conversations import HIDE, LIKE, Message
from syndication.errors import CapabilityError, ComposeError, SyndicationError

from . import capabilities, desk
from .answering import compose
from .forms import AnswerForm, AssignForm, DeskFilterForm, PreferenceForm
from .models import DeskPreference, IncomingMessage, PullCursor
from .people import people_of

logger = logging.getLogger(__name__)

PER_PAGE = 30


def check_access(request: HttpRequest) -> None:
    if not sites_for(request.user).exists():
        raise PermissionDenied


def message_in_scope(request: HttpRequest, pk: int) -> IncomingMessage:
    """The message ``pk`` if it is one of the user's associations' (else 404)."""
    rows = in_scope(IncomingMessage.objects.all(), request.user).select_related(
        "account", "assignee", "delivery", "delivery__page", "site"
    )
    message = rows.filter(pk=pk).first()
    if message is None:
        raise Http404
    return message


class DeskView(WagtailAdminTemplateMixin, TemplateView):
    """Conversations: the chosen association's messages, newest first."""

    page_title = gettext_lazy("Conversations")
    header_icon = "comment"
    template_name = "conversations/desk.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check_access(request)
        self.site = chosen_site(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mine = IncomingMessage.objects.filter(site=self.site)
        people = people_of(self.site)
        form = DeskFilterForm(self.request.GET or None, mine, people)
        listed = form.apply(mine).select_related("account", "assignee", "delivery__page")
        listed = listed.order_by(F("created_at").desc(nulls_last=True), "-received_at", "-pk")
        page = Paginator(listed, PER_PAGE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            site=self.site,
            sites=sites_for(self.request.user),
            form=form,
            page_obj=page,
            query=query.urlencode(),
            counts={
                "new": mine.filter(state=IncomingMessage.State.NEW).count(),
                "mine": mine.filter(
                    assignee=self.request.user, state=IncomingMessage.State.ASSIGNED
                ).count(),
            },
            pulls=PullCursor.objects.filter(account__site=self.site).select_related("account"),
            capabilities=capabilities.table(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Bulk dismissal: the checked messages need no answer."""
        ids = [int(v) for v in request.POST.getlist("message") if v.isdigit()]
        chosen = IncomingMessage.objects.filter(site=self.site, pk__in=ids)
        done = desk.dismiss(chosen)
        flash.success(
            request,
            ngettext(
                "%(count)d message marqué « pas de réponse nécessaire ».",
                "%(count)d messages marqués « pas de réponse nécessaire ».",
                done,
            )
            % {"count": done},
        )
        return redirect(f"{reverse('conversations_desk')}?site={self.site.pk}")


class MessageView(WagtailAdminTemplateMixin, TemplateView):
    """One message: its thread, its answers, the answer box, the assignment and the actions."""

    model = IncomingMessage  # the admin's scope gate reads it (cms.federation.middleware)
    header_icon = "comment"
    template_name = "conversations/message.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check_access(request)
        self.message = message_in_scope(request, kwargs["pk"])
        self.people = people_of(self.message.site_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Message de %(author)s") % {
            "author": self.message.author_name or self.message.author_handle or "?"
        }

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        desk_url = f"{reverse('conversations_desk')}?site={self.message.site_id}"
        return [
            *self.breadcrumbs_items,
            {"url": desk_url, "label": _("Conversations")},
            {"url": "", "label": self.get_page_title()},
        ]

    def thread(self) -> tuple[list[Message], str]:
        """The thread as the network has it now, or what the desk knows of it (and why)."""
        message = self.message
        try:
            client = message.account.client()
            client.read_retries = 0  # a person waits: one try, then what the desk knows
            found = client.fetch_thread(message.as_message())
            return list(found.messages), ""
        except (SyndicationError, CredentialsUnreadable, ValueError) as exc:
            logger.info("Thread of message %s not read: %s", message.pk, exc)
            known = IncomingMessage.objects.filter(
                account=message.account, root_remote_id=message.root_remote_id
            ).order_by("created_at", "pk")
            values = {"network": message.network_label}
            if isinstance(exc, CapabilityError):
                note = (
                    _(
                        "%(network)s ne donne pas le fil entier par son API : voici les messages "
                        "du fil que Relais connaît."
                    )
                    % values
                )
            else:
                note = _(
                    "Le fil n'a pas pu être lu sur %(network)s (%(detail)s) : voici les "
                    "messages du fil que Relais connaît."
                ) % {**values, "detail": getattr(exc, "message", str(exc))}
            return [m.as_message() for m in known], note

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        message = self.message
        network = message.account.make_network()
        thread, thread_note = self.thread()
        context.update(
            message=message,
            thread=thread,
            thread_note=thread_note,
            answers=message.answers.select_related("author"),
            answer_form=kwargs.get("answer_form") or AnswerForm(),
            assign_form=AssignForm(
                initial={"assignee": message.assignee_id or ""}, people=self.people
            ),
            can_answer=network.can("reply"),
            can_like=network.can(LIKE),
            can_hide=network.can(HIDE),
            limit=network.reply_max_length or network.max_length,
            count_url=reverse("conversations_count", args=[message.pk]),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "")
        message = self.message
        if action == "answer":
            form = AnswerForm(request.POST)
            if form.is_valid():
                try:
                    desk.write_answer(message, form.cleaned_data["text"], request.user)
                except (ComposeError, SyndicationError) as exc:
                    form.add_error("text", explain_compose(exc))
                else:
                    flash.success(request, _("Réponse enregistrée : elle part sur le réseau."))
                    return redirect(request.path)
            return self.render_to_response(self.get_context_data(answer_form=form))
        if action == "assign":
            form = AssignForm(request.POST, people=self.people)
            if form.is_valid():
                desk.assign(message, form.chosen())
                flash.success(request, _("Attribution enregistrée."))
        elif action == "dismiss":
            desk.dismiss([message])
            flash.success(request, _("Marqué « pas de réponse nécessaire »."))
        elif action == "reopen":
            desk.reopen(message)
        elif action == "retry":
            answer = message.answers.filter(pk=request.POST.get("answer") or 0).first()
            if answer is None:
                raise Http404
            if desk.retry_answer(answer):
                flash.success(
                    request,
                    _(
                        "La réponse est renvoyée (Relais vérifie d'abord qu'elle n'est pas "
                        "déjà sur le réseau)."
                    ),
                )
        elif action == LIKE:
            desk.like(message)
            flash.success(request, _("« J'aime » demandé au réseau."))
        elif action == HIDE:
            desk.hide(message)
            flash.success(request, _("Masquage demandé au réseau."))
        else:
            raise Http404
        return redirect(request.path)


def explain_compose(exc: SyndicationError) -> str:
    """The composer's refusal, in the admin's words."""
    length, limit = getattr(exc, "length", None), getattr(exc, "limit", None)
    if length is not None and limit is not None and length > limit:
        return _(
            "La réponse fait %(length)s caractères comptés comme le réseau les compte ; la limite "
            "est %(limit)s : raccourcissez-la de %(over)s."
        ) % {"length": length, "limit": limit, "over": length - limit}
    if length == 0:
        return _("La réponse est vide : écrivez quelque chose avant de l'envoyer.")
    return _("Le réseau ne permet pas de répondre ainsi (%(detail)s) : répondez sur le réseau.") % {
        "detail": exc.message
    }


class CountView(View):
    """The answer box's count: the text as the network will receive it, its length as the
    network counts it, the limit, and what is wrong (the Social tab's counting, for answers)."""

    model = IncomingMessage

    def post(self, request: HttpRequest, pk: int) -> JsonResponse:
        check_access(request)
        message = message_in_scope(request, pk)
        network = message.account.make_network()
        limit = network.reply_max_length or network.max_length
        text = request.POST.get("text", "")
        try:
            reply = compose(message, text)
        except ComposeError as exc:
            return JsonResponse(
                {
                    "text": "",
                    "length": getattr(exc, "length", None),
                    "limit": limit,
                    "error": explain_compose(exc),
                }
            )
        except SyndicationError as exc:
            return JsonResponse(
                {"text": "", "length": None, "limit": limit, "error": explain_compose(exc)}
            )
        return JsonResponse(
            {"text": reply.text, "length": reply.length, "limit": reply.limit, "error": ""}
        )


class PreferencesView(WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Mes préférences des conversations")
    header_icon = "mail"
    template_name = "conversations/preferences.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        preference = DeskPreference.for_user(self.request.user)
        form = kwargs.get("form") or PreferenceForm(initial={"daily_email": preference.daily_email})
        return {**super().get_context_data(**kwargs), "form": form}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference = DeskPreference.for_user(request.user)
            preference.daily_email = form.cleaned_data["daily_email"]
            preference.save(update_fields=["daily_email"])
            flash.success(request, _("Préférences enregistrées."))
            return redirect("conversations_preferences")
        return self.render_to_response(self.get_context_data(form=form))
