"""Forms of the changement de binôme: every case of a leaving professional, or one case."""

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet

from partners.forms import PairChoiceField
from partners.models import Pair, Professional


class HandoverForm(forms.Form):
    professional = forms.ModelChoiceField(
        label="Professionnel·le qui quitte ses binômes", queryset=Professional.objects.none()
    )
    new_pair = PairChoiceField(label="Binôme qui reprend", queryset=Pair.objects.none())
    reason = forms.CharField(label="Motif", max_length=255)

    def __init__(self, *args: Any, pairs: QuerySet[Pair], **kwargs: Any) -> None:
        """``pairs``: the department's current pairs, with their members."""
        super().__init__(*args, **kwargs)
        cast(PairChoiceField, self.fields["new_pair"]).queryset = pairs
        cast("forms.ModelChoiceField[Professional]", self.fields["professional"]).queryset = (
            Professional.objects.filter(
                Q(pairs_as_advisor__in=pairs) | Q(pairs_as_social_worker__in=pairs)
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


class CaseHandoverForm(forms.Form):
    new_pair = PairChoiceField(label="Binôme qui reprend", queryset=Pair.objects.none())
    reason = forms.CharField(label="Motif", max_length=255)

    def __init__(self, *args: Any, pairs: QuerySet[Pair], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PairChoiceField, self.fields["new_pair"]).queryset = pairs
