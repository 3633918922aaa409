from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("<int:pk>/", views.answer, name="answer"),
    path("<int:pk>/<str:token>/", views.answer, name="answer_token"),
]
