"""The audit search."""

from django import forms

from reviews.forms.decisions import DATE_INPUT


class AuditSearchForm(forms.Form):
    reference = forms.CharField(required=False, max_length=20, label="Case reference")
    username = forms.CharField(
        required=False,
        max_length=150,
        label="User (login or name)",
    )
    kind = forms.ChoiceField(required=False, label="Event")
    date_from = forms.DateField(required=False, widget=DATE_INPUT, label="From")
    date_to = forms.DateField(required=False, widget=DATE_INPUT, label="To")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any event"), *kinds]
