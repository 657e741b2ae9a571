"""The person's mobile number, for SMS: French formats first, international numbers accepted, a
landline refused (an SMS cannot reach it). Stored in E.164 (« +33612345678 »)."""

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from casework.errors import InvalidInput

#: Numbers written without their country code are read as French.
DEFAULT_REGION = "FR"
#: Types an SMS reaches (a French 06/07 is MOBILE; some countries cannot tell: FIXED_OR_MOBILE).
SMS_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}

NOT_A_NUMBER = (
    "Ce numéro de téléphone n'est pas valide. Écrivez-le comme « 06 12 34 56 78 », ou avec "
    "l'indicatif du pays (« +32 470 12 34 56 »)."
)
LANDLINE = (
    "Ce numéro est celui d'un téléphone fixe : un SMS ne peut pas y arriver. Indiquez un numéro "
    "de téléphone portable."
)


def normalise_mobile(raw: str, *, field: str = "phone") -> str:
    """The mobile number in E.164, or ``InvalidInput`` saying why, in French."""
    try:
        number = phonenumbers.parse(raw.strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput(NOT_A_NUMBER, field) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(NOT_A_NUMBER, field)
    if phonenumbers.number_type(number) not in SMS_TYPES:
        raise InvalidInput(LANDLINE, field)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """As a person writes it: « 06 12 34 56 78 » in France, « +32 470 12 34 56 » elsewhere."""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
