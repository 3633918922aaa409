"""Every association in its own house: a user of association B walks every URL of the admin
(from the URL resolver, :mod:`tests.federation.walk`) with the ids of association A's objects,
and sees none of A's data nor changes any of it. A view registered without its scope is caught
by the same walk; the federation's administrator sees both associations; an installation with a
single association works as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import serializers
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone
from wagtail.admin.auth import require_admin_access
from wagtail.admin.models import EditingSession
from wagtail.contrib.forms.models import FormSubmission
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.log_actions import log
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
)

from cms.ambassadors.models import Ambassador, AmbassadorVisits
from cms.audience.models import PageViewCount
from cms.conversations.models import Answer, IncomingMessage, PullCursor
from cms.core.models import AssociationSettings
from cms.discuss.models import Discussion
from cms.federation.models import Association, Sector
from cms.handover.models import AccountCover
from cms.members.models import Signup
from cms.newsletter.models import Digest, DigestDelivery, NewsletterSettings, Subscriber
from cms.pool.models import Offer
from cms.publishing import export
from cms.publishing.models import BuildRecord
from cms.social.models import Delivery, PostingSlot, SocialAccount
from cms.stats.models import MetricSample, TrackedPost
from cms.surveys.models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyPage,
    SurveyQuestion,
    SurveyReminder,
)
from cms.taxonomy.models import ClassYear, Contributor, Group
from cms.watch.models import (
    Alert,
    AlertFollow,
    AlertRule,
    KeywordRule,
    ReviewRun,
    ReviewSchedule,
    Source,
    WatchEntry,
)
from tests.cms.factories import make_image, make_item
from tests.federation.builders import association_site, member_of
from tests.federation.walk import Route, Walk, admin_routes

#: In every string of association A: whoever sees it sees A's data.
MARKER = "Zorglub"
#: A person who signed up with both associations: each keeps its own record.
BOTH = "meme.personne@example.org"


def populate(tree: dict[str, Any], label: str, editor: Any) -> dict[str, Any]:
    """Everything an association has, each string carrying ``label``."""
    site, home, association = tree["site"], tree["home"], tree["association"]
    association.refresh_from_db()
    settings = AssociationSettings.for_site(site)
    settings.name = f"Association {label}"
    settings.contact_email = f"contact@{label.lower()}.example.org"
    settings.save()
    year = ClassYear.objects.create(site=site, year=2012, name=f"Promo {label}")
    group = Group.objects.create(site=site, name=f"Groupe {label}")
    contributor = Contributor.objects.create(
        site=site, name=f"Contributeur {label}", email=f"plume@{label.lower()}.example.org"
    )
    image = make_image(f"Image {label}")
    image.collection = association.collection
    image.save()
    document = get_document_model()(title=f"Document {label}", collection=association.collection)
    document.file.save(f"{label.lower()}.txt", ContentFile(b"texte"), save=True)
    item = make_item(
        tree,
        title=f"Article {label}",
        slug=f"article-{label.lower()}",
        summary=f"Le chapeau {label}.",
        hero_image=image,
        hero_alt=f"Photo {label}",
    )
    item.tags.add(f"{label}-thème")
    item.class_years.set([year])
    item.groups.set([group])
    item.contributors.set([contributor])
    revision = item.save_revision(user=editor)
    revision.publish()
    export.export_site_config(site)
    export.export_page(item)  # (the publication's export waits for a commit the test never makes)
    BuildRecord.objects.create(
        site=site,
        status=BuildRecord.Status.FAILED,
        trigger=f"publication de Article {label}",
        errors=f"actualites/article-{label.lower()}.md: date manquante ({label})",
        finished_at=timezone.now(),
    )
    draft = make_item(
        tree, "parcours", publish=False, title=f"Brouillon {label}", slug=f"brouillon-{label}"
    )
    # Its survey (cms.surveys), with one answer
    survey = SurveyPage(
        title=f"Enquête {label}",
        slug=f"enquete-{label.lower()}",
        summary=f"L'enquête {label}.",
        threshold=1,
        form_fields=[
            SurveyQuestion(label="Choix", field_type="radio", choices=f"Choix {label}\nAutre"),
            SurveyQuestion(label="Suggestion", field_type="multiline", required=False),
        ],
    )
    tree["indexes"]["association"].add_child(instance=survey)
    survey.save_revision(user=editor).publish()
    survey_answer = SurveyAnswer.objects.create(
        page=survey, form_data={"choix": f"Choix {label}", "suggestion": f"Réponse {label}"}
    )
    draft.alumnus_name = f"Diplômée {label}"
    draft.save_revision(user=editor)
    workflow = draft.get_workflow()
    workflow_state = workflow.start(draft, editor)
    task_state = workflow_state.current_task_state
    Page.objects.filter(pk=item.pk).update(locked=True, locked_by=editor, locked_at=timezone.now())
    signup_page = tree["signup"]
    signups = [
        Signup.objects.create(
            page=signup_page,
            name=f"Personne {label}",
            email=email,
            consent_text=f"Consentement {label}",
            consented_at=timezone.now(),
            notes=f"Note {label}",
            last_network="mastodon",
            last_campaign=label.lower(),
            last_item=f"actualites/article-{label.lower()}",
            class_year=1999 if label == MARKER else 2001,
        )
        for email in (BOTH, f"personne@{label.lower()}.example.org")
    ]
    legacy = FormSubmission.objects.create(
        page=signup_page, form_data={"email": BOTH, "name": f"Ancienne {label}"}
    )
    PageViewCount.objects.create(
        site=site,
        day=timezone.localdate(),
        path=f"/actualites/article-{label.lower()}/",
        network="mastodon",
        campaign=label.lower(),
        views=7,
    )
    account = SocialAccount(
        site=site,
        network="mastodon",
        display_name=f"Compte {label}",
        handle=f"@{label.lower()}@example.org",
        remote_id=f"id-{label.lower()}",
        base_url="http://127.0.0.1:9",
        owner=editor,
    )
    account.set_credentials({"access_token": f"secret-{label.lower()}"})
    account.save()
    failed = Delivery.objects.create(
        account=account,
        page=item,
        item_key=f"actualites/article-{label.lower()}",
        network="mastodon",
        state=Delivery.State.FAILED,
        reason=f"Refus {label}",
        text=f"Texte publié {label}",
        updated_at=timezone.now(),
    )
    sent = Delivery.objects.create(
        account=account,
        page=item,
        round=2,
        item_key=f"actualites/article-{label.lower()}#2",
        network="mastodon",
        state=Delivery.State.SENT,
        remote_id=f"post-{label.lower()}",
        remote_url=f"https://example.org/@{label.lower()}/1",
        text=f"Texte envoyé {label}",
        attempted_at=timezone.now() - dt.timedelta(days=2),
        updated_at=timezone.now(),
    )
    TrackedPost.objects.create(delivery=sent, posted_at=sent.attempted_at)
    # A post waiting for its time (the calendar moves it) and a posting slot of the account
    scheduled = Delivery.objects.create(
        account=account,
        page=item,
        round=3,
        item_key=f"actualites/article-{label.lower()}#3",
        network="mastodon",
        state=Delivery.State.PENDING,
        post_at=timezone.now() + dt.timedelta(days=3),
        text=f"Texte programmé {label}",
    )
    slot = PostingSlot.objects.create(account=account, weekday=1, time=dt.time(9, 0))
    incoming = IncomingMessage.objects.create(
        site=site,
        account=account,
        network="mastodon",
        remote_id=f"msg-{label.lower()}",
        kind="reply",
        author_name=f"Auteur {label}",
        author_handle=f"auteur-{label.lower()}",
        text=f"Question {label} ?",
        delivery=sent,
        post_remote_id=sent.remote_id,
        root_remote_id=sent.remote_id,
        state=IncomingMessage.State.ASSIGNED,
        assignee=editor,
        is_question=True,
        created_at=timezone.now(),
    )
    answer = Answer.objects.create(
        message=incoming,
        text=f"Réponse {label}",
        author=editor,
        item_key=f"reply/mastodon/msg-{label.lower()}/k",
        account=account,
        network="mastodon",
        state=Answer.State.FAILED,
        reason=f"Refus de la réponse {label}",
    )
    pull_cursor = PullCursor.objects.create(
        account=account, last_pulled_at=timezone.now(), last_error=f"Lecture refusée {label}"
    )
    MetricSample.objects.create(delivery=sent, metric="likes", taken_at=timezone.now(), value=5)
    redirect = Redirect.objects.create(
        site=site, old_path=f"/ancien-{label.lower()}", redirect_link=f"https://{label}.org/"
    )
    for thing in (year, group, contributor, image, document, *signups, account):
        log(instance=thing, action="wagtail.create", user=editor)
    # An item offered to the association by the pool, and a sector it is in (the sectors are the
    # federation's: everyone reads them, only its administrators change them)
    offer = Offer.objects.create(original=item, association=association)
    sector, _ = Sector.objects.get_or_create(slug="energie", defaults={"name": "Énergie"})
    association.sectors.add(sector)
    # What the association watches, what it found, its keyword rules
    watch_source = Source.objects.create(
        site=site,
        url=f"https://{label.lower()}.example.org/flux.rss",
        title=f"Source {label}",
        last_error=f"Erreur {label}",
        last_change=f"~ [-12e-] {{+8e {label}+}}",
    )
    watch_entry = WatchEntry.objects.create(
        site=site,
        source=watch_source,
        link=f"https://{label.lower()}.example.org/article",
        title=f"Entrée {label}",
        summary=f"Résumé {label}",
        published=timezone.now(),
        story_key=f"{label.lower()}.example.org/article",
    )
    watch_rule = KeywordRule.objects.create(site=site, word=f"mot {label}")
    # Its alerts: a rule, an alert it raised, and who follows them
    watch_alert_rule = AlertRule.objects.create(site=site, kind="keyword", word=f"Entrée {label}")
    watch_alert = Alert.objects.create(site=site, rule=watch_alert_rule, entry=watch_entry)
    watch_alert_follow = AlertFollow.objects.create(user=editor, site=site)
    # Its weekly press review on a schedule, and a week it was composed (with no entry)
    review_schedule = ReviewSchedule.objects.create(site=site, weekday=3, hour=9)
    review_run = ReviewRun.objects.create(
        site=site, week=timezone.localdate(), ran_at=timezone.now()
    )
    # Its newsletter: its settings, a subscriber, a digest and its delivery to them
    letter_settings = NewsletterSettings.for_site(site.pk)
    letter_settings.frequency = NewsletterSettings.Frequency.WEEKLY
    letter_settings.save()
    subscriber = Subscriber.objects.create(
        site=site,
        email=f"abonne@{label.lower()}.example.org",
        name=f"Abonné {label}",
        source=Subscriber.Source.SITE,
        status=Subscriber.Status.CONFIRMED,
    )
    # Its survey's invitation to that subscriber, and its reminder
    survey_invitation = SurveyInvitation.objects.create(
        survey=survey, subscriber=subscriber, state="sent", sent_at=timezone.now()
    )
    survey_reminder = SurveyReminder.objects.create(invitation=survey_invitation, state="sent")
    digest = Digest.objects.create(
        site=site,
        period_start=timezone.now() - dt.timedelta(days=7),
        period_end=timezone.now(),
        subject=f"Lettre {label}",
        html=f"<p>Les nouvelles {label}</p>",
        text=f"Les nouvelles {label}",
    )
    digest_delivery = DigestDelivery.objects.create(digest=digest, subscriber=subscriber)
    cover = AccountCover.objects.create(account=account, backup=editor)
    ambassador = Ambassador.objects.create(
        site=site,
        name=f"Ambassadeur {label}",
        email=f"ambassadeur@{label.lower()}.example.org",
        mastodon=f"@amb@{label.lower()}.example.org",
        reference=f"ref-{label.lower()}",
    )
    AmbassadorVisits.objects.create(
        site=site, ambassador=ambassador, day=timezone.localdate(), network="mastodon", views=3
    )
    discussion = Discussion.objects.create(
        site=site,
        question=f"Question {label} ?",
        context=f"Contexte {label}",
        page=item,
        poll_options=f"Oui {label}\nNon {label}",
        texts={"mastodon": f"Texte {label}"},
    )
    session = EditingSession.objects.create(
        user=editor,
        content_type=item.content_type,
        object_id=str(item.pk),
        last_seen_at=timezone.now(),
    )
    return {
        "site": site,
        "home": home,
        "index": tree["indexes"]["actualites"],
        "item": item,
        "draft": draft,
        "survey": survey,
        "survey_answer": survey_answer,
        "revision": revision,
        "workflow": workflow,
        "workflow_state": workflow_state,
        "task_state": task_state,
        "task": task_state.task,
        "image": image,
        "document": document,
        "collection": association.collection,
        "class_year": year,
        "group": group,
        "contributor": contributor,
        "signup": signups[1],
        "signups": signups,
        "legacy": legacy,
        "account": account,
        "delivery": failed,
        "sent": sent,
        "scheduled": scheduled,
        "slot": slot,
        "redirect": redirect,
        "editing_session": session,
        "offer": offer,
        "incoming": incoming,
        "answer": answer,
        "pull_cursor": pull_cursor,
        "sector": sector,
        "watch_source": watch_source,
        "watch_entry": watch_entry,
        "watch_rule": watch_rule,
        "discussion": discussion,
        "watch_alert_rule": watch_alert_rule,
        "watch_alert": watch_alert,
        "watch_alert_follow": watch_alert_follow,
        "review_schedule": review_schedule,
        "review_run": review_run,
        "survey_invitation": survey_invitation,
        "survey_reminder": survey_reminder,
        "newsletter_settings": letter_settings,
        "subscriber": subscriber,
        "digest": digest,
        "digest_delivery": digest_delivery,
        "ambassador": ambassador,
        "cover": cover,
        "user": editor,
        "group_of_people": association.editors,
        "settings": settings,
        "bulk": {
            "wagtailcore.page": [item, draft],
            "wagtailimages.image": [image],
            "wagtaildocs.document": [document],
            "taxonomy.classyear": [year],
            "taxonomy.group": [group],
            "taxonomy.contributor": [contributor],
            "members.signup": signups,
            "auth.user": [editor],
            "wagtailusers.user": [editor],
            "auth.group": [association.editors],
            "federation.sector": [sector],
            "ambassadors.ambassador": [ambassador],
        },
    }


def snapshot(objects: dict[str, Any]) -> dict[str, Any]:
    """A's data as the database has it: every object, its page tree, its rights."""
    out: dict[str, Any] = {}
    for key, obj in objects.items():
        if key == "bulk" or not hasattr(obj, "_meta"):
            continue
        row = type(obj)._default_manager.filter(pk=obj.pk).first()
        out[key] = None if row is None else serializers.serialize("json", [row])
    home = objects["home"]
    pages = Page.objects.descendant_of(home, inclusive=True)
    out["pages"] = sorted(pages.values_list("pk", "title", "slug", "live", "locked", "path"))
    out["revisions"] = sorted((p.pk, p.revisions.count(), p.latest_revision_id) for p in pages)
    out["signups"] = sorted(
        Signup.objects.filter(site=objects["site"]).values_list("pk", "status", "notes")
    )
    out["submissions"] = FormSubmission.objects.filter(page=objects["signup"].page).count()
    out["accounts"] = sorted(
        SocialAccount.objects.filter(site=objects["site"]).values_list(
            "pk", "display_name", "active", "credentials", "owner_id", "status"
        )
    )
    out["deliveries"] = sorted(
        Delivery.objects.filter(account__site=objects["site"]).values_list(
            "pk", "state", "attempt", "version", "retry_at", "post_at"
        )
    )
    out["slots"] = sorted(
        PostingSlot.objects.filter(account__site=objects["site"]).values_list(
            "pk", "account_id", "weekday", "time"
        )
    )
    groups = Association.for_site(objects["site"]).groups
    out["page_rights"] = sorted(
        GroupPagePermission.objects.filter(group__in=groups).values_list(
            "group_id", "page_id", "permission_id"
        )
    )
    out["collection_rights"] = sorted(
        GroupCollectionPermission.objects.filter(group__in=groups).values_list(
            "group_id", "collection_id", "permission_id"
        )
    )
    out["conversations"] = sorted(
        IncomingMessage.objects.filter(site=objects["site"]).values_list(
            "pk", "state", "assignee_id", "liked_at", "hidden_at"
        )
    )
    out["answers"] = sorted(
        Answer.objects.filter(message__site=objects["site"]).values_list("pk", "text", "state")
    )
    out["newsletter"] = (
        sorted(
            Subscriber.objects.filter(site=objects["site"]).values_list("pk", "email", "status")
        ),
        sorted(Digest.objects.filter(site=objects["site"]).values_list("pk", "status", "subject")),
        sorted(
            DigestDelivery.objects.filter(digest__site=objects["site"]).values_list("pk", "state")
        ),
    )
    out["views"] = sorted(
        PageViewCount.objects.filter(site=objects["site"]).values_list("path", "views")
    )
    return out


@pytest.fixture
def federation(db, content_dir, site_output, settings, django_user_model):
    """A (every string carries the marker) and B, side by side, each with its people."""
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    Site.objects.all().delete()
    # The names of the sites are the federation's directory (Wagtail's own filters list them):
    # everything else of A carries the marker.
    a = association_site("Alumni A", "a.example.org", default=True, home_title=f"Accueil {MARKER}")
    b = association_site("Alumni B", "b.example.org", home_title="Accueil Bravo")
    a_editor = member_of(a["association"], "editors", username=f"editeur-{MARKER.lower()}")
    a_editor.first_name = MARKER
    a_editor.save()
    b_user = member_of(b["association"], "editors", "administrators", username="bravo")
    return {
        "a": populate(a, MARKER, a_editor),
        "b": populate(b, "Bravo", b_user),
        "b_user": b_user,
        "admin": django_user_model.objects.create_superuser("fede", "fede@example.org", "pw"),
    }


def post_data(a: dict[str, Any]) -> dict[str, Any]:
    """What the walk POSTs everywhere: the fields of the forms that change or delete."""
    return {
        "email": BOTH,
        "confirm": "True",
        "title": "Modifié",
        "slug": "modifie",
        "name": "Modifié",
        "display_name": "Modifié",
        "summary": "Modifié.",
        "year": "2001",
        "status": "done",
        "notes": "Modifié",
        "active": "",
        "owner": "",
        "account": a["account"].pk,
        "next": "/admin/",
        "new_title": "Modifié",
        "new_slug": "modifie",
        "new_parent_page": a["index"].pk,
        "action-publish": "action-publish",
        "body-count": "0",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "contact_email": "pirate@example.org",
        "signup_label": "Modifié",
        "lang": "en",
        "collection": a["collection"].pk,
        "url": "https://example.org/",
        "external-link-chooser-url": "https://example.org/",
        "message": a["incoming"].pk,
        "action": "dismiss",
        "text": "Modifié",
        "assignee": "",
        "day": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        "time": "09:00",
        "slots-TOTAL_FORMS": "1",
        "slots-INITIAL_FORMS": "1",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
        "slots-0-id": a["slot"].pk,
        "slots-0-weekday": "3",
        "slots-0-time": "10:00",
        "slots-0-DELETE": "on",
    }


def walk_as(user: Any, fed: dict[str, Any], routes: list[Route] | None = None) -> Walk:
    """Walk ``routes`` (every admin route if None) as ``user``."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    a = fed["a"]
    return Walk(
        client=client,
        objects=a,
        marker=MARKER,
        snapshot=lambda: snapshot(a),
        post_data=post_data(a),
        other_site_id=a["site"].pk,
    ).run(admin_routes() if routes is None else routes)


def test_a_user_of_b_sees_and_changes_nothing_of_a_on_any_admin_url(federation):
    walk = walk_as(federation["b_user"], federation)
    print(walk.report())
    assert len(walk.visited) > 500
    # B's own pages were reached (the walk is not a tour of refusals)
    reached = {url for method, url, status in walk.visited if method == "GET" and status == 200}
    assert {
        "/admin/adhesions/",
        "/admin/social/accounts/",
        "/admin/social/deliveries/",
        "/admin/stats/",
        "/admin/snippets/taxonomy/group/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/reports/site-history/",
        "/admin/reports/workflow/",
        "/admin/site/",
        "/admin/watch/",
        "/admin/watch/sources/",
        "/admin/watch/alerts/",
        "/admin/lettre/abonnes/",
        "/admin/lettre/lettres/",
        "/admin/calendrier/",
    } <= reached
    assert not walk.unfillable, walk.report()
    assert not walk.leaks, "\n".join(map(str, walk.leaks))
    assert not walk.changes, "\n".join(map(str, walk.changes))
    assert not walk.errors, "\n".join(map(str, walk.errors))
    # What B shares with A by construction stays: the person who signed up with both
    a = federation["a"]
    assert Signup.objects.filter(site=a["site"], email=BOTH).exists()
    assert FormSubmission.objects.filter(pk=a["legacy"].pk).exists()


# -- the walk finds a view that forgets its scope -----------------------------------------------


@require_admin_access
def unscoped_signups(request: HttpRequest) -> HttpResponse:
    """A view that forgot its scope: every sign-up of the installation; POST marks them all
    done."""
    if request.method == "POST":
        Signup.objects.update(status=Signup.Status.DONE)
    return HttpResponse(", ".join(Signup.objects.values_list("name", flat=True)))


@require_admin_access
def unscoped_signup(request: HttpRequest, signup: int) -> HttpResponse:
    """The same by a parameter the walk has not been taught."""
    return HttpResponse(Signup.objects.get(pk=signup).name)


urlpatterns = [
    path("admin/oubli/", unscoped_signups),
    path("admin/oubli/<int:signup>/", unscoped_signup),
    path("", include("cms.urls")),
]


def test_the_walk_finds_a_view_that_forgets_its_scope(federation):
    with override_settings(ROOT_URLCONF=__name__):
        # the walk of every route is the test above: here, the two forgetful views
        routes = [r for r in admin_routes() if r.route.startswith("admin/oubli/")]
        assert [r.route for r in routes] == ["admin/oubli/", "admin/oubli/<int:signup>/"]
        walk = walk_as(federation["b_user"], federation, routes)
    assert "GET /admin/oubli/" in [f"{f.method} {f.url}" for f in walk.leaks]
    assert [f.url for f in walk.changes] == ["/admin/oubli/"]
    assert walk.unfillable == ["admin/oubli/<int:signup>/: which object does signup name?"]


# -- the federation's administrator, and a single association ------------------------------------


def test_the_federation_administrator_sees_both(federation, client):
    client.force_login(federation["admin"])
    a, b = federation["a"], federation["b"]
    for site, label in ((a["site"], MARKER), (b["site"], "Bravo")):
        for url in (
            "/admin/adhesions/",
            "/admin/snippets/taxonomy/group/",
            "/admin/social/accounts/",
            "/admin/social/deliveries/",
            "/admin/stats/",
        ):
            page = client.get(url, {"site": site.pk}).content.decode()
            assert f"{label}" in page, (url, label)
            assert 'id="relais-site"' in page, url  # the switcher
    assert MARKER in client.get(f"/admin/pages/{a['item'].pk}/edit/").content.decode()
    assert "Bravo" in client.get(f"/admin/pages/{b['item'].pk}/edit/").content.decode()


def test_a_single_association_works_as_before(site_tree, client, django_user_model):
    """One association: everyone who may use the admin works on it, without a switcher."""
    from django.contrib.auth.models import Group as People
    from django.contrib.auth.models import Permission

    assert Association.objects.count() == 1
    secretary = django_user_model.objects.create_user("secretariat", "s@example.org", "pw")
    people = People.objects.create(name="Secrétariat")
    people.permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "view_signup",
                "change_socialaccount",
                "change_associationsettings",
                "view_statistics",
            ]
        )
    )
    secretary.groups.add(people)
    Signup.objects.create(
        page=site_tree["signup"],
        name="Léa Martin",
        email="lea@example.org",
        consent_text="oui",
        consented_at=timezone.now(),
    )
    client.force_login(secretary)
    listing = client.get("/admin/adhesions/").content.decode()
    assert "Léa Martin" in listing and 'id="relais-site"' not in listing
    assert client.get("/admin/social/accounts/").status_code == 200
    assert client.get("/admin/stats/").status_code == 200
    site = site_tree["site"]
    settings_url = f"/admin/settings/core/associationsettings/{site.pk}/"
    assert client.get(settings_url).status_code == 200
