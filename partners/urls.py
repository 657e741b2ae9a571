from django.contrib.auth import views as auth_views
from django.urls import path

from partners import health, views
from partners.outbox import views as outbox_views

urlpatterns = [
    path("", views.home, name="home"),
    path("mon-equipe/", views.team, name="team"),
    # Answered by partners.health.HealthCheckMiddleware before any other middleware.
    path("sante/vivant", health.liveness, name="health_live"),
    path("sante/pret", health.readiness, name="health_ready"),
    path("mes-binomes/", views.my_pairs, name="my_pairs"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("deconnexion/partout/", views.logout_everywhere, name="logout_everywhere"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    # The activation link; Django's view answers from /activer/<uidb64>/set-password/ at once.
    path("activer/<uidb64>/<token>/", views.ActivationView.as_view(), name="account_activate"),
    path("double-authentification/", views.otp_setup, name="otp_setup"),
    path("double-authentification/code/", views.otp_verify, name="otp_verify"),
    path("envois-en-echec/", outbox_views.failed_list, name="outbox_failed"),
    path("envois-en-echec/<int:pk>/renvoyer/", outbox_views.resend, name="outbox_resend"),
]
