from wagtail import hooks

from .admin import AmbassadorViewSet


@hooks.register("register_admin_viewset")
def register_ambassador_viewset():
    return AmbassadorViewSet("ambassadors_admin")
