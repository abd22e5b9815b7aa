"""Claim line forms: they read the fields' types; the claims service judges the line."""

from django import forms

from reviews.forms.widgets import DateInput
from reviews.models import ClaimLine

TEXT = {"class": "form-control"}


class ClaimLineForm(forms.Form):
    claim_line_id = forms.CharField(
        label="Claim line id",
        max_length=64,
        help_text="The sender's id for the line; sending it again returns the first result.",
        widget=forms.TextInput(TEXT),
    )
    member_id = forms.CharField(label="Member id", max_length=40, widget=forms.TextInput(TEXT))
    date_of_service = forms.DateField(label="Date of service", widget=DateInput(TEXT))
    hcpcs_code = forms.CharField(label="HCPCS code", max_length=10, widget=forms.TextInput(TEXT))
    ndc = forms.CharField(
        label="NDC",
        required=False,
        max_length=20,
        help_text="Optional.",
        widget=forms.TextInput(TEXT),
    )
    units = forms.IntegerField(label="Units", widget=forms.NumberInput(TEXT))
    modifiers = forms.CharField(
        label="Modifiers",
        required=False,
        max_length=40,
        help_text="Separated by spaces or commas, e.g. JZ.",
        widget=forms.TextInput(TEXT),
    )
    billed_amount = forms.CharField(
        label="Billed amount ($)", max_length=20, widget=forms.TextInput(TEXT)
    )
    billing_npi = forms.CharField(label="Billing NPI", max_length=20, widget=forms.TextInput(TEXT))
    rendering_npi = forms.CharField(
        label="Rendering NPI", max_length=20, widget=forms.TextInput(TEXT)
    )
    participating = forms.TypedChoiceField(
        label="Provider",
        choices=[("true", "Participating (in network)"), ("false", "Not participating")],
        coerce=lambda value: value == "true",
        widget=forms.Select({"class": "form-select"}),
    )


class ClaimLineFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *ClaimLine.Status.choices],
        widget=forms.Select({"class": "form-select"}),
    )


class ClaimLineResolveForm(forms.Form):
    action = forms.ChoiceField(
        label="Decision",
        choices=[("pay", "Pay (units left on the authorization)"), ("deny", "Deny")],
        widget=forms.RadioSelect,
    )
    carc = forms.ChoiceField(
        label="Reason code (for a denial)",
        required=False,
        widget=forms.Select({"class": "form-select"}),
    )
    reason = forms.CharField(
        label="Why", widget=forms.Textarea({"rows": 3, "class": "form-control"}), max_length=2000
    )

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carc"].choices = [
            ("", "—"),
            *((c.code, f"{c.code}: {c.wording}") for c in codes),
        ]
