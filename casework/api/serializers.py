"""What a partner system sends to write an appointment, and what it gets back. Every field is
named here: nothing reaches a partner by default (never the outcome of an appointment: the
follow-up does not transmit an absence)."""

from typing import Any

from rest_framework import serializers

from casework.enums import RECORDED_OUTCOMES, AppointmentKind


class AppointmentPutSerializer(serializers.Serializer[Any]):
    planned_at = serializers.DateTimeField(
        help_text="Date et heure du rendez-vous (ISO 8601, avec le fuseau horaire)."
    )
    place = serializers.CharField(max_length=255, help_text="Le lieu du rendez-vous.")
    kind = serializers.ChoiceField(
        choices=AppointmentKind.choices,
        default=AppointmentKind.FOLLOW_UP,
        help_text="La nature du rendez-vous (suivi par défaut).",
    )


class AppointmentOutcomeSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=RECORDED_OUTCOMES,
        help_text=(
            "held : rendez-vous honoré ; excused : absence excusée ; unexcused : absence non "
            "excusée. Une absence n'envoie rien à personne."
        ),
    )


class PartnerAppointmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="L'identifiant du rendez-vous dans Binôme.")
    partner_ref = serializers.CharField(help_text="L'identifiant du rendez-vous chez vous.")
    case_id = serializers.IntegerField(help_text="L'accompagnement.")
    planned_at = serializers.DateTimeField(help_text="Date et heure du rendez-vous.")
    place = serializers.CharField(help_text="Le lieu.")
    kind = serializers.ChoiceField(choices=AppointmentKind.choices, help_text="La nature.")
    cancelled = serializers.BooleanField(help_text="Annulé.")
