from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partenaires"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from partners import audit, checks, middleware

        audit.register_models()
        checks.register()
        user_logged_in.connect(middleware.start_session_clock, dispatch_uid="binome_session_clock")
