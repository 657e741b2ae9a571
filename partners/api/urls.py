from django.urls import path

from partners.api import views

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="api_schema"),
]
