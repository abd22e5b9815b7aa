"""The case list's search and a case page's document upload."""

from django import forms

from reviews.forms.widgets import MultipleFileField, upload_help
from reviews.models import Case, Document


class DocumentUploadForm(forms.Form):
    files = MultipleFileField(label="Files")
    kind = forms.ChoiceField(
        label="Kind",
        choices=Document.Kind.choices,
        initial=Document.Kind.CLINICAL_NOTE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = upload_help()


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Reference, member ID or name",
                "class": "form-control",
            }
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Case.Status.choices]
    )
