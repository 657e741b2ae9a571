from django.urls import path

from orientation.space import views

urlpatterns = [
    path("diagnostic/", views.space_diagnostic, name="space_diagnostic"),
]
