"""The sign-up page ("Adhérer"): a Wagtail form page that every page of the static site links to.

The notification e-mail to the association is sent by a background task, never inside the
visitor's request.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField


class SignUpFormField(AbstractFormField):
    page = ParentalKey("SignUpPage", on_delete=models.CASCADE, related_name="form_fields")


class SignUpPage(AbstractEmailForm):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    thank_you_text = RichTextField(_("remerciement"), blank=True, features=["bold", "italic",
                                                                           "link"])

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Champs du formulaire")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail de notification"),
        ),
    ]
    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("page d'adhésion")

    def send_mail(self, form: Any) -> None:
        from .tasks import send_signup_notification

        send_signup_notification.enqueue(self.pk, self.render_email(form))
