from django.urls import path, register_converter

from casework.api import views
from casework.services.api_appointments import PARTNER_REF


class PartnerRefConverter:
    """A partner system's own id for an appointment (never a person's data)."""

    regex = PARTNER_REF.pattern

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PartnerRefConverter, "partner_ref")

urlpatterns = [
    path(
        "cases/<int:case_id>/appointments/<partner_ref:partner_ref>/",
        views.AppointmentView.as_view(),
        name="api_appointment",
    ),
    path(
        "cases/<int:case_id>/appointments/<partner_ref:partner_ref>/cancel/",
        views.AppointmentCancelView.as_view(),
        name="api_appointment_cancel",
    ),
    path(
        "cases/<int:case_id>/appointments/<partner_ref:partner_ref>/outcome/",
        views.AppointmentOutcomeView.as_view(),
        name="api_appointment_outcome",
    ),
]
