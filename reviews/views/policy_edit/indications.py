"""Indications & dosing: the version's indications, each added, changed or deleted as one
change; its dosing rule edited as phase rows and two limits (never as JSON)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews.engine.dosing import Regimen, continuation_form
from reviews.forms.policy_edit_settings import (
    IndicationForm,
    PhaseForm,
    PhaseFormSet,
    add_indication_problems,
)
from reviews.models import Indication
from reviews.services.policies import assert_draft
from reviews.services.policy_settings import (
    SettingsRefused,
    indication_add,
    indication_change,
    indication_delete,
    indication_users,
)
from reviews.views.policy_edit.common import back_to, editor_render, editor_view

TAB = "reviews:policy-edit-indications"


def _rule(indication: Indication) -> dict:
    """The rule in words, and what a continuation gives, for the list."""
    if not indication.regimen:
        return {"text": "", "continuation": ""}
    try:
        regimen = Regimen.from_dict(indication.regimen)
    except ValueError as error:
        return {"text": f"Not readable: {error}", "continuation": ""}
    later = continuation_form(regimen)
    return {
        "text": regimen.describe(),
        "continuation": later.describe() if later else "no phase (initial only)",
    }


@require_GET
@editor_view
def indications_view(request, version):
    rows = [
        {"indication": i, "rule": _rule(i), "users": indication_users(version, i.key)}
        for i in version.indications.all()
    ]
    return editor_render(
        request,
        version,
        "indications",
        "reviews/policy_edit/indications.html",
        {"rows": rows},
    )


def _page(request, version, indication: Indication | None):
    data = request.POST if request.method == "POST" else None
    if indication is not None:
        initial = IndicationForm.initial_for(indication)
        phase_rows = (indication.regimen or {}).get("phases") or []
    else:
        # Approvals are most often written in months ("6 months, then 12").
        initial = {
            "initial_approval_unit": Indication.Unit.CALENDAR_MONTH,
            "extended_approval_unit": Indication.Unit.CALENDAR_MONTH,
        }
        phase_rows = []
    form = IndicationForm(data, initial=initial)
    phases = PhaseFormSet(
        data, prefix="phase", initial=[PhaseForm.initial_for(p) for p in phase_rows]
    )
    problems: list[str] = []
    if data is not None:
        assert_draft(version)
        if form.is_valid() and phases.is_valid():
            kept = phases.kept()
            rows = [phases.forms[i] for i in kept]
            # The rows, then the phases written in words.
            written = [f.phase() for f in rows] + form.cleaned_data["phases_words"]
            regimen = None
            if written:
                unit = written[0]["dose"]["unit"]
                regimen = {"phases": written, **form.limits(unit)}
            elif form.limits(""):
                form.add_error(None, "A dose range or a quantity limit needs dosing phases.")
            if form.is_valid():
                fields = form.fields_for(regimen)
                try:
                    if indication is None:
                        saved = indication_add(version=version, actor=request.user, fields=fields)
                    else:
                        saved = indication_change(
                            version=version,
                            actor=request.user,
                            indication=indication,
                            fields=fields,
                        )
                except SettingsRefused as error:
                    problems = add_indication_problems(form, phases, kept, error.problems)
                else:
                    messages.success(request, f"Saved the indication {saved.key}.")
                    if indication is None and request.POST.get("add_another"):
                        return redirect("reviews:policy-edit-indication-add", version.pk)
                    return back_to(TAB, version, f"indication-{saved.pk}")
    return editor_render(
        request,
        version,
        "indications",
        "reviews/policy_edit/indication_form.html",
        {
            "form": form,
            "phases": phases,
            "problems": problems,
            "indication": indication,
            "users": indication_users(version, indication.key) if indication else [],
        },
        status=400 if data is not None else 200,
    )


@require_http_methods(["GET", "POST"])
@editor_view
def indication_add_view(request, version):
    return _page(request, version, None)


@require_http_methods(["GET", "POST"])
@editor_view
def indication_edit_view(request, version, indication_id: int):
    indication = get_object_or_404(Indication, pk=indication_id, version=version)
    return _page(request, version, indication)


@require_POST
@editor_view
def indication_delete_view(request, version, indication_id: int):
    assert_draft(version)
    indication = get_object_or_404(Indication, pk=indication_id, version=version)
    try:
        indication_delete(version=version, actor=request.user, indication=indication)
    except SettingsRefused as error:
        messages.error(request, str(error))
        return back_to(TAB, version, f"indication-{indication.pk}")
    messages.success(request, f"Deleted the indication {indication.key}.")
    return back_to(TAB, version)


_BASE = "policies/versions/<int:version_id>/edit/indications/"
urlpatterns = [
    path(_BASE, indications_view, name="policy-edit-indications"),
    path(f"{_BASE}new/", indication_add_view, name="policy-edit-indication-add"),
    path(f"{_BASE}<int:indication_id>/", indication_edit_view, name="policy-edit-indication"),
    path(
        f"{_BASE}<int:indication_id>/delete/",
        indication_delete_view,
        name="policy-edit-indication-delete",
    ),
]
