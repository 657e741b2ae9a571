"""The product's URLs, plus the two comparison pages the bench alone serves."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("banc/portefeuille-guardian/", views.caseload_guardian, name="bench_caseload_guardian"),
    path("banc/portefeuille-plancher/", views.caseload_floor, name="bench_caseload_floor"),
    path("", include("config.urls")),
]
