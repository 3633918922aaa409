from django.urls import path

from . import views

app_name = "ambassadors"
urlpatterns = [
    path("<str:token>/", views.personal_page, name="page"),
    path("<str:token>/desabonnement/", views.unsubscribe, name="unsubscribe"),
]
