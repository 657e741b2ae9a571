from django.urls import path

from orientation.api import views

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="api_cases"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="api_case"),
    path(
        "cases/<int:case_id>/orientation-decisions/",
        views.DecisionCreateView.as_view(),
        name="api_orientation_decisions",
    ),
]
