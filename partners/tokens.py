"""The secrets that open an account to its professional, and to nobody else.

- The **activation link** (``/activer/<uidb64>/<token>/``): Django's password-reset token with
  its own salt. It holds the account's password hash and ``invited_at``, so it is good once (the
  hash changes when the password is chosen) and a new link voids the older ones. It expires after
  ``PASSWORD_RESET_TIMEOUT``. Only the e-mail to the professional carries it.
- The **enrolment code** of the second factor (admin and auditor): ten characters an
  administrator reads to the person by phone or hands over, never by e-mail. Only a keyed hash is
  stored (``Professional.enrolment_code_hash``), with an expiry.
"""

import datetime
import secrets
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

#: Letters and digits nobody confuses when read aloud or copied (no 0/O, 1/I/L, no U/V).
ENROLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
ENROLMENT_LENGTH = 10
#: How long an enrolment code stays good.
ENROLMENT_VALIDITY = datetime.timedelta(days=7)


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "binome.partners.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        invited_at = "" if user.invited_at is None else user.invited_at.isoformat()
        return f"{super()._make_hash_value(user, timestamp)}{invited_at}{user.is_active}"


activation_token = ActivationTokenGenerator()


def activation_path(professional: Any) -> str:
    """The path of the professional's activation link (a token made now)."""
    uidb64 = urlsafe_base64_encode(force_bytes(professional.pk))
    return f"/activer/{uidb64}/{activation_token.make_token(professional)}/"


def enrolment_code_new() -> str:
    """A new code, grouped for reading: « ABCDE-FGH23 »."""
    code = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def enrolment_code_normalise(typed: str) -> str:
    """What the person typed, without spaces or dashes, in capitals."""
    return "".join(char for char in typed.upper() if char.isalnum())


def enrolment_code_hash(professional_pk: int, code: str) -> str:
    """The keyed hash stored for ``code`` (needs SECRET_KEY to guess it back)."""
    return salted_hmac(
        "binome.partners.tokens.enrolment_code",
        f"{professional_pk}:{enrolment_code_normalise(code)}",
        algorithm="sha256",
    ).hexdigest()


def enrolment_code_matches(professional_pk: int, code: str, stored_hash: str) -> bool:
    return bool(stored_hash) and constant_time_compare(
        enrolment_code_hash(professional_pk, code), stored_hash
    )
