from typing import Any

from django.contrib.auth.backends import ModelBackend

from partners.models import Professional


class ProfessionalBackend(ModelBackend):
    """Email login; the professional comes with their organisation and department (one query)."""

    def get_user(self, user_id: Any) -> Professional | None:
        user = (
            Professional.objects.select_related("organisation__department")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
