from django.urls import path

from . import views

app_name = "newsletter"
urlpatterns = [
    path("<slug:slug>/abonnement/", views.subscribe, name="subscribe"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
