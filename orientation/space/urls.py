"""The person's orientation pages under /mon-espace/ (``orientation.space``)."""

from django.urls import path

from orientation.space.views import diagnostic, documents, plan

urlpatterns = [
    path("diagnostic/", diagnostic.space_diagnostic, name="space_diagnostic"),
    path("documents/", documents.space_documents, name="space_documents"),
    path(
        "documents/diagnostic/<int:version>/",
        documents.space_document_diagnostic,
        name="space_document_diagnostic",
    ),
    path(
        "documents/decision/<int:pk>/",
        documents.space_document_decision,
        name="space_document_decision",
    ),
    path("documents/plan/", documents.space_document_plan, name="space_document_plan"),
    path("documents/donnees.json", documents.space_data_download, name="space_data_download"),
    path("plan/", plan.space_plan, name="space_plan"),
    path("plan/actions/<int:pk>/", plan.space_action_mark, name="space_action_mark"),
]
