"""The policy's drugs, as rows: brand, generic, HCPCS codes and NDCs, saved as one change."""

from django.contrib import messages
from django.urls import path
from django.views.decorators.http import require_http_methods

from reviews.forms.policy_edit_settings import DrugFormSet, add_drug_problems
from reviews.services.policies import assert_draft
from reviews.services.policy_settings import SettingsRefused, policy_drugs_save
from reviews.views.policy_edit.common import editor_render, editor_view, saved_back


@require_http_methods(["GET", "POST"])
@editor_view
def drugs_view(request, version):
    data = request.POST if request.method == "POST" else None
    drugs = list(version.policy.drugs.all())
    formset = DrugFormSet(
        data,
        prefix="drug",
        initial=[
            {
                "brand": d.brand,
                "generic": d.generic,
                "hcpcs_codes": d.hcpcs_codes,
                "ndcs": d.ndcs,
            }
            for d in drugs
        ],
        asked=[d.cases.exists() for d in drugs],
    )
    problems: list[str] = []
    if data is not None:
        assert_draft(version)
        if formset.is_valid():
            kept = formset.kept()
            try:
                policy_drugs_save(version=version, actor=request.user, drugs=formset.drugs())
            except SettingsRefused as error:
                problems = add_drug_problems(formset, kept, error.problems)
            else:
                messages.success(request, "Saved the drugs.")
                return saved_back(request, "drugs", version)
    return editor_render(
        request,
        version,
        "drugs",
        "reviews/policy_edit/drugs.html",
        {"formset": formset, "problems": problems},
        status=400 if data is not None else 200,
    )


urlpatterns = [
    path("policies/versions/<int:version_id>/edit/drugs/", drugs_view, name="policy-edit-drugs"),
]
