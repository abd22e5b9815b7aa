"""Clinical facts read during review: a nurse adds a lab, prior therapy or clinical event, or
corrects one (weight and height too), naming the document and page it came from.

The values follow the intake rules (reviews.intake.fact_clean); the nurse must hold the case
in nurse review; a decided case's facts never change (its determination rests on them).
Every change writes a CaseEvent; a correction keeps the old values in its payload.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from reviews import permissions
from reviews.engine.numbers import plain_number
from reviews.errors import ReviewError, StaleCase
from reviews.intake import FACT_KINDS, IntakeInvalid, fact_clean
from reviews.models import (
    Case,
    CaseClinicalEvent,
    CaseEvent,
    CaseLab,
    CaseTherapy,
    Document,
    FactSource,
)
from reviews.selectors.cases import FACT_MODELS, Fact, case_fact_get
from reviews.services.nurse_review import citation_check

MEASUREMENTS = "measurements"
MEASUREMENT_FIELDS = ("weight_kg", "height_cm")


class FactsLocked(StaleCase):
    """The case is decided: the facts its determination rests on stay as they were (a
    conflict with the case's state: the API answers 409)."""


def _case_for_facts(case: Case, nurse) -> Case:
    """The case row, locked, once the nurse may change its facts."""
    if not permissions.can_review_as_nurse(nurse):
        raise PermissionDenied("Only nurse reviewers may add or correct clinical facts.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise FactsLocked(
            f"This case is decided ({case.get_status_display()}): its facts cannot change."
        )
    if case.status != Case.Status.NURSE_REVIEW:
        raise StaleCase(f"This case is not in nurse review ({case.get_status_display()}).")
    if case.assignee_id != nurse.pk:
        raise PermissionDenied("Claim this case before working on it.")
    return case


def _source_errors(case: Case, document: Document | None, page: int | None) -> dict:
    """Where the fact was read: a document of this case and a page it has."""
    if document is None:
        return {"source_document": ["Choose the document this comes from."]}
    if document.case_id != case.pk:
        return {"source_document": ["The source must be a document of this case."]}
    if page is None:
        return {"source_page": ["Give the page this comes from."]}
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        return {"source_page": ["Pages count from 1."]}
    try:
        citation_check(document, page, "")
    except ReviewError as error:
        return {"source_page": [str(error)]}
    return {}


def _cleaned(
    case: Case, kind: str, values: Mapping[str, Any], document: Document | None, page: int | None
) -> dict[str, Any]:
    """The fact's values by the intake rules, with every problem (source too) at once."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = fact_clean(kind, values)
    except IntakeInvalid as invalid:
        errors |= invalid.errors
    errors |= _source_errors(case, document, page)
    if errors:
        raise IntakeInvalid(errors)
    return cleaned


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    def plain(value):
        if isinstance(value, Decimal):
            return plain_number(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    return {name: plain(value) for name, value in values.items()}


def fact_values(fact: Fact | Case, kind: str) -> dict[str, Any]:
    """What a fact says now, in the rules' field names (a case: its weight and height)."""
    if kind == MEASUREMENTS:
        return {name: getattr(fact, name) for name in MEASUREMENT_FIELDS}
    names = {
        CaseLab: ("name", "loinc", "value", "unit", "taken_on"),
        CaseTherapy: ("drug_name", "dose", "dose_unit", "started_on", "ended_on", "outcome"),
        CaseClinicalEvent: ("kind", "occurred_on", "note"),
    }[type(fact)]
    return {name: getattr(fact, name) for name in names}


def _source_payload(fact_or_none: Fact | None) -> dict[str, Any]:
    if fact_or_none is None:
        return {}
    document = fact_or_none.source_document
    return {
        "source": fact_or_none.source,
        "source_document": document.pk if document else None,
        "source_document_name": document.original_name if document else "",
        "source_page": fact_or_none.source_page,
    }


@transaction.atomic
def case_fact_add(
    *,
    case: Case,
    nurse,
    kind: str,
    values: Mapping[str, Any],
    source_document: Document | None,
    source_page: int | None,
) -> Fact:
    """Add a lab ("lab"), prior therapy ("therapy") or clinical event ("event") read from a
    page of one of the case's documents. IntakeInvalid names each problem by field."""
    if kind not in FACT_KINDS:
        raise ReviewError(f"There is no kind of fact called {kind}.")
    case = _case_for_facts(case, nurse)
    cleaned = _cleaned(case, kind, values, source_document, source_page)
    fact = FACT_MODELS[kind].objects.create(
        case=case,
        **cleaned,
        source=FactSource.REVIEW,
        source_document=source_document,
        source_page=source_page,
        recorded_by=nurse,
        recorded_at=timezone.now(),
    )
    CaseEvent.objects.create(
        case=case,
        actor=nurse,
        kind=CaseEvent.Kind.FACT_ADDED,
        payload={
            "fact": kind,
            "id": fact.pk,
            "summary": str(fact),
            "values": _json(cleaned),
            **_source_payload(fact),
        },
    )
    return fact


@transaction.atomic
def case_fact_correct(
    *,
    case: Case,
    nurse,
    kind: str,
    values: Mapping[str, Any],
    source_document: Document | None,
    source_page: int | None,
    fact_id: int | None = None,
) -> Fact | Case:
    """Correct one fact of the case (`kind` and `fact_id`), or its weight and height (kind
    "measurements"), from a page of one of its documents. The fact then stands as read in
    review; the audit event keeps what it said before and where that came from."""
    if kind not in (*FACT_KINDS, MEASUREMENTS):
        raise ReviewError(f"There is no kind of fact called {kind}.")
    case = _case_for_facts(case, nurse)
    cleaned = _cleaned(case, kind, values, source_document, source_page)
    source = {
        "source_document": source_document.pk,
        "source_document_name": source_document.original_name,
        "source_page": source_page,
    }
    if kind == MEASUREMENTS:
        previous = {name: getattr(case, name) for name in MEASUREMENT_FIELDS}
        if previous == cleaned:
            raise ReviewError("That is what the case already says: nothing to correct.")
        Case.objects.filter(pk=case.pk).update(**cleaned, updated_at=timezone.now())
        for name, value in cleaned.items():
            setattr(case, name, value)
        payload = {"fact": kind, "values": _json(cleaned), "previous": _json(previous), **source}
        CaseEvent.objects.create(
            case=case, actor=nurse, kind=CaseEvent.Kind.FACT_CORRECTED, payload=payload
        )
        return case
    fact = case_fact_get(case=case, kind=kind, fact_id=fact_id, lock=True)
    previous, previous_summary = fact_values(fact, kind), str(fact)
    previous_source = _source_payload(fact)
    same_source = (fact.source_document_id, fact.source_page) == (source_document.pk, source_page)
    if previous == cleaned and same_source:
        raise ReviewError("That is what the fact already says: nothing to correct.")
    for name, value in cleaned.items():
        setattr(fact, name, value)
    fact.source = FactSource.REVIEW
    fact.source_document = source_document
    fact.source_page = source_page
    fact.recorded_by = nurse
    fact.recorded_at = timezone.now()
    fact.save()
    CaseEvent.objects.create(
        case=case,
        actor=nurse,
        kind=CaseEvent.Kind.FACT_CORRECTED,
        payload={
            "fact": kind,
            "id": fact.pk,
            "summary": str(fact),
            "values": _json(cleaned),
            "previous_summary": previous_summary,
            "previous": _json(previous),
            "previous_source": previous_source,
            **source,
        },
    )
    return fact
