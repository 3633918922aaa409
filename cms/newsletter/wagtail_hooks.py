from wagtail import hooks

from .admin import NewsletterGroup


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterGroup()
