"""The shapes of the follow-up's answers (``orientation.api.selectors`` fills them), and of an
orientation decision sent and answered (``orientation:write``). Every field is named here:
nothing reaches a partner by default (never the reasons or the person's opinion in an answer)."""

from typing import Any

from rest_framework import serializers

from casework.enums import CaseState, OrientationPath
from casework.services.api_appointments import PARTNER_REF
from orientation.enums import ContractKind, DecidingAuthority, DecisionBasis
from partners.enums import Role

#: The motives of a decision sent through the API, in characters at most.
REASONS_LENGTH = 5000


class MemberSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(
        choices=[
            (Role.ADVISOR.value, Role.ADVISOR.label),
            (Role.SOCIAL_WORKER.value, Role.SOCIAL_WORKER.label),
        ],
        help_text=(
            "advisor : conseiller·ère France Travail ; social_worker : travailleur·se social·e."
        ),
    )
    organisation = serializers.CharField(help_text="Son organisation.")
    job_title = serializers.CharField(help_text="Sa fonction (jamais son nom).")


class ContractSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ContractKind.choices, help_text="Le type de contrat.")
    reference = serializers.CharField(allow_blank=True, help_text="La référence du contrat.")
    signed_on = serializers.DateField(allow_null=True, help_text="Signé le.")


class AppointmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    planned_at = serializers.DateTimeField(help_text="Date et heure du rendez-vous.")
    place = serializers.CharField(help_text="Le lieu.")
    cancelled = serializers.BooleanField(help_text="Annulé par le binôme.")


class CaseFollowupSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="L'identifiant de l'accompagnement.")
    state = serializers.ChoiceField(
        choices=[choice for choice in CaseState.choices if choice[0] != CaseState.REFUSED],
        help_text="L'état de l'accompagnement.",
    )
    orientation_path = serializers.ChoiceField(
        choices=OrientationPath.choices,
        allow_null=True,
        help_text="Le parcours décidé, ou null avant la décision d'orientation.",
    )
    proposed_on = serializers.DateField(help_text="Proposé le.")
    started_on = serializers.DateField(allow_null=True, help_text="Commencé le.")
    planned_end_on = serializers.DateField(allow_null=True, help_text="Fin prévue le.")
    closed_on = serializers.DateField(allow_null=True, help_text="Terminé le.")
    referent = MemberSerializer(help_text="Le ou la référent·e unique.")
    co_accompagnant = MemberSerializer(
        allow_null=True,
        help_text="L'autre membre du binôme, ou null pour un suivi social seul (axe 3).",
    )
    contract = ContractSerializer(
        allow_null=True, help_text="Le contrat d'engagement (ou CER, PPAE), s'il est connu."
    )
    appointments = AppointmentSerializer(many=True, help_text="Les rendez-vous, par date.")


# orientation:write ---------------------------------------------------------------------------


class DecisionSendSerializer(serializers.Serializer[Any]):
    partner_ref = serializers.RegexField(
        f"^{PARTNER_REF.pattern}$",
        max_length=64,
        help_text=(
            "Votre identifiant de la décision (lettres, chiffres, « . _ : - », 64 au plus) : "
            "le même identifiant désigne toujours la même décision."
        ),
        error_messages={"invalid": "Cet identifiant de décision n'est pas valide."},
    )
    path = serializers.ChoiceField(choices=OrientationPath.choices, help_text="Le parcours décidé.")
    decided_on = serializers.DateField(help_text="La date de la décision (pas dans le futur).")
    reasons = serializers.CharField(
        max_length=REASONS_LENGTH,
        help_text="Les motifs de la décision, tels que la décision les donne.",
    )
    review_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="La date de réexamen (six mois après la décision si elle est omise).",
    )


class PartnerDecisionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="L'identifiant de la décision dans Binôme.")
    partner_ref = serializers.CharField(help_text="L'identifiant de la décision chez vous.")
    case_id = serializers.IntegerField(help_text="L'accompagnement.")
    path = serializers.ChoiceField(choices=OrientationPath.choices, help_text="Le parcours.")
    decided_on = serializers.DateField(help_text="Décidée le.")
    review_on = serializers.DateField(help_text="À réexaminer au plus tard le.")
    basis = serializers.ChoiceField(
        choices=DecisionBasis.choices,
        help_text=(
            "recommendation : sur la préconisation du binôme qui attendait une décision ; "
            "national_criteria : sur les critères nationaux, sans préconisation."
        ),
    )
    authority = serializers.ChoiceField(
        choices=DecidingAuthority.choices, help_text="L'autorité qui a décidé."
    )
