from django.contrib.contenttypes.models import ContentType
from wagtail import hooks

from .admin import SignupViewSet
from .models import SignUpPage


@hooks.register("register_admin_viewset")
def register_signup_viewset():
    return SignupViewSet("adhesions")


@hooks.register("filter_form_submissions_for_user")
def hide_signup_page_from_form_submissions(user, editable_forms):
    """Sign-ups have their own listing (Adhésions): the generic "Forms" listing would show the
    sign-up page with no submission."""
    # by the content type itself: the listing's search can filter on it, not on its fields
    return editable_forms.exclude(content_type=ContentType.objects.get_for_model(SignUpPage))
