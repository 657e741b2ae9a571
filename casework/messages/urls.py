from django.urls import path

from casework.messages import views

urlpatterns = [
    path("brevo/sms/", views.brevo_sms_report, name="brevo_sms_report"),
]
