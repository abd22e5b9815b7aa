"""The policy's text: its title, the version's dates, path names and text sections, its
remark codes (with their meanings), the claims rules (billing units, waste rule), saved as
one change."""

from django.contrib import messages
from django.urls import path
from django.views.decorators.http import require_http_methods

from reviews.forms.policy_edit_settings import (
    TEXT_PLACES,
    BillingUnitFormSet,
    PolicyTextForm,
    RemarkCodeFormSet,
    add_problems,
    billing_units,
    remark_code_initial,
    remark_codes,
)
from reviews.policy_documents import VERSION_FIELDS
from reviews.services.policies import assert_draft
from reviews.services.policy_settings import SettingsRefused, policy_text_save
from reviews.views.policy_edit.common import editor_render, editor_view, saved_back

PLACES = {**{f"version.{key}": field for key, field in VERSION_FIELDS.items()}, **TEXT_PLACES}


@require_http_methods(["GET", "POST"])
@editor_view
def details_view(request, version):
    data = request.POST if request.method == "POST" else None
    form = PolicyTextForm(data, instance=version)
    codes = RemarkCodeFormSet(data, prefix="remark", initial=remark_code_initial(version))
    units = BillingUnitFormSet(data, prefix="unit", initial=list(version.billing_units or []))
    problems: list[str] = []
    if data is not None:
        assert_draft(version)
        if form.is_valid() and codes.is_valid() and units.is_valid():
            fields = {name: form.cleaned_data[name] for name in PolicyTextForm.Meta.fields}
            fields["remark_codes"] = remark_codes(codes)
            fields["billing_units"] = billing_units(units)
            try:
                policy_text_save(
                    version=version,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    fields=fields,
                )
            except SettingsRefused as error:
                problems = add_problems(form, error.problems, PLACES)
            else:
                messages.success(request, "Saved the policy text.")
                return saved_back(request, "details", version)
    return editor_render(
        request,
        version,
        "details",
        "reviews/policy_edit/details.html",
        {"form": form, "codes": codes, "units": units, "problems": problems},
        status=400 if data is not None else 200,
    )


urlpatterns = [
    path(
        "policies/versions/<int:version_id>/edit/details/",
        details_view,
        name="policy-edit-details",
    ),
]
