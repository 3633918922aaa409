from django.urls import path

from . import views

app_name = "audience"
urlpatterns = [
    path("p.gif", views.pixel, name="pixel"),
    path("<slug:slug>/p.gif", views.pixel, name="association_pixel"),
]
