"""The watch's public address: the one-click opt-out of the alerts' daily mail (by its signed
link, no account needed)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "alertes/<str:token>/desabonnement/",
        views.alerts_opt_out,
        name="watch_alerts_opt_out",
    ),
]
