"""The sign-up form: the fixed fields every association needs, the page's additional questions
(Wagtail's form builder), the consent box, the honeypot and the signed attribution."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from cms.core.text import clean_text

from .attribution import Touch, unsign
from .protection import HONEYPOT

DEFAULT_CONSENT = _(
    "J'accepte que l'association conserve ces informations pour traiter ma demande et, si je "
    "l'ai demandé, m'envoyer ses nouvelles. Je peux demander à tout moment qu'elles soient "
    "supprimées."
)

WISHES = [
    ("membership", _("Adhérer à l'association")),
    ("ambassador", _("Devenir ambassadeur·rice de l'association")),
    ("news", _("Recevoir les nouvelles de l'association")),
]
EXTRA_PREFIX = "q_"
FIRST_CLASS_YEAR = 1900


class SignUpForm(BaseForm):
    """Override nothing here to change the page's questions: add them in the admin (they are
    asked after these fields and stored in ``Signup.answers``)."""

    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Indiquez votre nom et votre prénom.")},
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Indiquez votre adresse e-mail : c'est là que nous vous répondrons."),
            "invalid": _(
                "Cette adresse e-mail n'est pas valide : vérifiez-la (elle ressemble à "
                "prenom.nom@exemple.fr)."
            ),
        },
    )
    school = forms.CharField(
        label=_("École"),
        max_length=150,
        required=False,
        help_text=_("L'école dont vous êtes diplômé·e ou élève."),
    )
    class_year = forms.IntegerField(
        label=_("Promotion"),
        required=False,
        help_text=_("Votre année de sortie de l'école (par exemple 2012)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    wishes = forms.MultipleChoiceField(
        label=_("Je souhaite"),
        choices=WISHES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _(
                "Cochez au moins une case : adhérer, devenir "
                "ambassadeur·rice ou recevoir les nouvelles."
            )
        },
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": _(
                "Cochez la case de consentement : sans elle, nous ne "
                "pouvons pas enregistrer votre demande."
            )
        },
    )
    site_web = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    first_touch = forms.CharField(required=False, widget=forms.HiddenInput)
    last_touch = forms.CharField(required=False, widget=forms.HiddenInput)

    honeypot_name = HONEYPOT
    consent_label: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = self.consent_label
        order = [
            n for n in self.fields if n not in ("consent", HONEYPOT, "first_touch", "last_touch")
        ]
        self.order_fields([*order, "consent", HONEYPOT, "first_touch", "last_touch"])

    def full_clean(self) -> None:
        """Clean every typed value of control and invisible characters before the fields
        see it (:func:`cms.core.text.clean_text`): a name pasted with a stray ``\\x00`` is
        stored without it instead of being refused, and nothing odd reaches the exports.
        Text areas keep their line breaks."""
        if self.is_bound:
            self.data = self._typed_text_cleaned(self.data)
        super().full_clean()

    def _typed_text_cleaned(self, data: Any) -> Any:
        data = data.copy()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if key not in data or name == HONEYPOT:  # a robot's honeypot stays as typed
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            cleaned = [
                clean_text(v, multiline=multiline) if isinstance(v, str) else v for v in values
            ]
            if hasattr(data, "setlist"):
                data.setlist(key, cleaned)
            else:
                data[key] = cleaned[0]
        return data

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Indiquez votre nom et votre prénom."))
        return name

    def clean_class_year(self) -> int | None:
        year = self.cleaned_data.get("class_year")
        latest = timezone.localdate().year + 6
        if year is not None and not FIRST_CLASS_YEAR <= year <= latest:
            raise forms.ValidationError(
                _(
                    "Indiquez l'année de sortie de l'école, entre %(first)d et %(last)d, ou "
                    "laissez le champ vide."
                ),
                params={"first": FIRST_CLASS_YEAR, "last": latest},
            )
        return year

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def touches(self) -> tuple[Touch, Touch]:
        """(first, last) touch carried by the form; an unsigned or forged value gives an
        empty touch (attribution never blocks a sign-up)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        last = unsign(data.get("last_touch")) or Touch()
        first = unsign(data.get("first_touch")) or last
        return first, last

    def extra_answers(self) -> dict[str, Any]:
        """The answers to the page's additional questions, by question label."""
        answers = {}
        for name, field in self.fields.items():
            if name.startswith(EXTRA_PREFIX):
                value = self.cleaned_data.get(name)
                if isinstance(value, list | tuple):
                    value = ", ".join(str(v) for v in value)
                answers[str(field.label)] = "" if value is None else str(value)
        return answers


def consent_text(page: Any) -> str:
    """The consent as the person reads it (stored with each sign-up as its proof)."""
    return page.consent_text.strip() or str(DEFAULT_CONSENT)


def consent_label(page: Any) -> str:
    text = consent_text(page)
    url = page.privacy_url()
    if url:
        return format_html(
            '{} <a href="{}">{}</a>', text, url, _("Comment nous utilisons vos données")
        )
    return text


def signup_form_class(page: Any) -> type[SignUpForm]:
    """The form of ``page``: :class:`SignUpForm` plus the page's own questions."""
    attrs: dict[str, Any] = {"consent_label": consent_label(page)}
    choices = page.school_choices()
    if choices:
        attrs["school"] = forms.ChoiceField(
            label=_("École"),
            required=False,
            choices=[("", _("— choisissez —")), *((c, c) for c in choices)],
        )
    if page.pk:
        builder = FormBuilder(page.get_form_fields())
        for name, field in builder.formfields.items():
            attrs[f"{EXTRA_PREFIX}{name}"] = field
    return type("SignUpPageForm", (SignUpForm,), attrs)
