"""Forms of the territory's offer: search, a resource, the import in the national schema."""

from typing import TYPE_CHECKING, Any

from django import forms

from casework.enums import ObstacleCategory
from casework.models import Resource

if TYPE_CHECKING:  # Django's ModelForm takes no subscript at run time (see _common)
    _ResourceModelForm = forms.ModelForm[Resource]
else:
    _ResourceModelForm = forms.ModelForm


class DirectorySearchForm(forms.Form):
    categorie = forms.ChoiceField(
        label="Difficulté",
        choices=[("", "Toutes les difficultés"), *ObstacleCategory.choices],
        required=False,
    )
    q = forms.CharField(label="Mots", max_length=100, required=False)


class ResourceForm(_ResourceModelForm):
    categories = forms.MultipleChoiceField(
        label="Difficultés auxquelles elle répond",
        choices=ObstacleCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.CharField(
        label="Zone (codes géographiques de l'INSEE, séparés par des virgules)",
        required=False,
        help_text="Département (21), communes (21231)… Vide : tout le département.",
    )

    class Meta:
        model = Resource
        fields = (
            "name",
            "provider",
            "description",
            "conditions",
            "phone",
            "email",
            "address",
            "postal_code",
            "city",
            "link",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["categories"] = self.instance.category_list
            self.initial["area"] = ", ".join(self.instance.area)

    def clean_area(self) -> list[str]:
        area: str = self.cleaned_data["area"]
        return [code.strip() for code in area.split(",") if code.strip()]


class DirectoryImportForm(forms.Form):
    document = forms.FileField(
        label="Fichier JSON au schéma national de l'offre d'insertion",
        help_text='Un objet {"structures": [...], "services": [...]} (data·inclusion).',
    )
