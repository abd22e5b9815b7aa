"""The appeal intake form: who appeals, when the plan received it, why, and their files."""

from django import forms
from django.conf import settings
from django.utils import timezone

from reviews.forms.widgets import DateTimeLocalInput, MultipleFileField, upload_help
from reviews.models import Appeal, Case, Document


class AppealFileForm(forms.Form):
    appellant_kind = forms.ChoiceField(
        label="Who appeals", choices=Appeal.AppellantKind.choices, widget=forms.RadioSelect
    )
    appellant_name = forms.CharField(label="Appellant's name", max_length=200)
    received_at = forms.DateTimeField(label="Received", widget=DateTimeLocalInput())
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Case.Urgency.choices,
        widget=forms.RadioSelect,
        initial=Case.Urgency.STANDARD,
        help_text="Expedited when waiting could seriously harm the member's health, or when "
        "the prescriber asks for it.",
    )
    reason = forms.CharField(
        label="Why the appellant disagrees",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    documents = MultipleFileField(label="Files sent with the appeal", required=False)
    document_kind = forms.ChoiceField(
        label="These documents are",
        choices=Document.Kind.choices,
        initial=Document.Kind.LETTER_OF_MEDICAL_NECESSITY,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "received_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        self.fields[
            "received_at"
        ].help_text = f"When the plan received the appeal ({settings.TIME_ZONE} time)."
        self.fields["documents"].help_text = upload_help("You can add more later.")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "appellant_kind": data["appellant_kind"],
            "appellant_name": data["appellant_name"],
            "received_at": data["received_at"],
            "urgency": data["urgency"],
            "reason": data["reason"],
            "documents": data["documents"] or [],
            "document_kind": data["document_kind"],
        }
