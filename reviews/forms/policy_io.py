"""Forms of the policy editor's Check & publish tab and of importing a policy file."""

from django import forms

from reviews.services.policy_io import MAX_IMPORT_BYTES


class PublishForm(forms.Form):
    """Publishing: with warnings on the page, the admin says they were read."""

    acknowledge = forms.BooleanField(
        label="I have read the warnings and publish anyway", required=False
    )

    def __init__(self, *args, warnings: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = warnings

    def clean(self):
        data = super().clean()
        if self.warnings and not data.get("acknowledge"):
            self.add_error(
                "acknowledge",
                f"There {'is' if self.warnings == 1 else 'are'} {self.warnings} consistency "
                f"warning{'' if self.warnings == 1 else 's'}: read "
                f"{'it' if self.warnings == 1 else 'them'}, then tick this box to publish.",
            )
        return data


class PolicyImportForm(forms.Form):
    file = forms.FileField(
        label="Policy file (YAML)",
        help_text="A policy document (priorauth-policy/1), at most "
        f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(
            {"class": "form-control", "accept": ".yaml,.yml,application/yaml,text/yaml"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a policy file may be at most "
                f"{MAX_IMPORT_BYTES:,} bytes."
            )
        return upload
