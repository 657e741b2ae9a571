from anymail.webhooks.brevo import BrevoTrackingWebhookView
from django.urls import path

from casework.messages import views

urlpatterns = [
    path("brevo/sms/", views.brevo_sms_report, name="brevo_sms_report"),
    # django-anymail's view: basic authentication (ANYMAIL["WEBHOOK_SECRET"]), then its
    # ``tracking`` signal, received by casework.messages.reports.email_report.
    path("brevo/email/", BrevoTrackingWebhookView.as_view(), name="brevo_email_report"),
]
