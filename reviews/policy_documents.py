"""Policy versions in the database <-> policy documents (docs/policy-format.md).

The engine owns the document format and knows nothing of Django; this module is the adapter.
"""

import contextlib
from datetime import date
from typing import Any

from reviews.engine import document
from reviews.engine.tree import Node
from reviews.models import Criterion, Indication, PolicyVersion
from reviews.reference_lists import reference_lists

# Document key -> model field, for the version's scalar sections.
VERSION_FIELDS = {
    "number": "number",
    "status": "status",
    "effective_date": "effective_date",
    "initial_effective_date": "initial_effective_date",
    "annual_review_date": "annual_review_date",
    "last_revised_date": "last_revised_date",
    "prior_approval_notice": "prior_approval_notice",
    "overview": "overview",
    "statement": "statement",
    "criteria_intro": "criteria_intro",
    "duration_of_therapy": "duration_of_therapy",
    "labs_diagnostics": "labs_diagnostics",
    "waste_management": "waste_management",
    "documentation_requirements": "documentation_requirements",
}
DOSING_FIELDS = {
    "condition": "dosing_condition",
    "text": "dosing_text",
    "benefit": "dosing_benefit",
    "monthly_means": "monthly_means",
    "monthly_means_note": "monthly_means_note",
}
APPROVAL_FIELDS = {
    "text": "approval_text",
}
EDITS_FIELDS = {
    "heading": "edits_heading",
    "prior_approval": "prior_approval_text",
    "physician_review": "physician_review_text",
    "claim_edits": "claim_edits_text",
    "remark_codes": "remark_codes",
    "remark_code_with_authorization": "remark_code_with_authorization",
    "remark_code_without_authorization": "remark_code_without_authorization",
    "liability": "liability_text",
    "group_code_participating": "group_code_participating",
    "group_code_not_participating": "group_code_not_participating",
}
# version.claims.waste key -> model field (claims.billing_units is the field billing_units).
WASTE_FIELDS = {
    "applies": "waste_applies",
    "single_dose": "waste_single_dose",
    "jz_required": "waste_jz_required",
    "jw_allowance_units": "waste_jw_allowance_units",
    "source": "waste_source",
}
PATH_FIELDS = {"initial": "path_initial_name", "continuation": "path_continuation_name"}
NODE_FIELDS = ("title", "text", "note", "explanation", "plain_language")
# Optional choices are "" in the database and null in the document.
NULLABLE_CHOICES = {"dosing_benefit", "monthly_means"}


def version_fields_from_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Model field values of a PolicyVersion from a normalized document."""
    version = doc["version"]
    fields = {field: version[key] for key, field in VERSION_FIELDS.items()}
    for section, mapping in (
        ("dosing", DOSING_FIELDS),
        ("approval", APPROVAL_FIELDS),
        ("edits_and_denials", EDITS_FIELDS),
    ):
        fields.update({field: version[section][key] for key, field in mapping.items()})
    for field in NULLABLE_CHOICES:
        fields[field] = fields[field] or ""
    for key, field in PATH_FIELDS.items():
        fields[field] = version["paths"][key]
    fields["billing_units"] = [dict(unit) for unit in version["claims"]["billing_units"]]
    fields.update({field: version["claims"]["waste"][key] for key, field in WASTE_FIELDS.items()})
    return fields


def indication_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Model field values of each Indication of a normalized document, in order."""
    rows = []
    for position, indication in enumerate(doc["version"]["indications"]):
        approval = indication["approval"]
        extended = approval["extended"]
        rows.append(
            {
                "position": position,
                "key": indication["key"],
                "name": indication["name"],
                "diagnosis_codes": list(indication["diagnosis_codes"]),
                "codes_source": indication["codes_source"],
                "initial_approval_count": approval["initial"]["count"],
                "initial_approval_unit": approval["initial"]["unit"],
                "extended_approval_count": extended["count"] if extended else None,
                "extended_approval_unit": extended["unit"] if extended else "day",
                "regimen": indication["regimen"],
            }
        )
    return rows


def indication_dict(indication: Indication) -> dict[str, Any]:
    """An Indication row as the document writes it."""
    return {
        "key": indication.key,
        "name": indication.name,
        "diagnosis_codes": list(indication.diagnosis_codes or []),
        "codes_source": indication.codes_source,
        "approval": {
            "initial": indication.initial_approval,
            "extended": indication.extended_approval,
        },
        "regimen": indication.regimen,
    }


def criteria_rows(node: dict[str, Any]) -> list[tuple[dict[str, Any], str | None, int]]:
    """(model fields, parent label, position) for every node of a document tree, pre-order."""
    rows = []

    def walk(n: dict[str, Any], parent: str | None, position: int) -> None:
        check = n.get("check") or {}
        rows.append(
            (
                {
                    "label": n["label"],
                    "kind": n["kind"],
                    "path": n.get("path") or "",
                    "indication": n.get("indication") or "",
                    "k": n.get("k"),
                    "check_name": check.get("name", ""),
                    "check_params": check.get("params", {}),
                    "check_negate": check.get("negate", False),
                    "evidence_required": n.get("evidence_required", True),
                    **{f: n.get(f, "") for f in NODE_FIELDS},
                },
                parent,
                position,
            )
        )
        for i, child in enumerate(n.get("children", [])):
            walk(child, n["label"], i)

    walk(node, None, 0)
    return rows


def json_safe(value: Any) -> Any:
    """Dates as ISO text, so test-case facts fit a JSONField; the document reads them back."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _criteria_tree_dicts(version: PolicyVersion) -> list[dict[str, Any]]:
    """Each root of the version's criteria rows as a document tree dict."""
    criteria = list(version.criteria.all())
    children: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.position, c.pk))

    def build(c: Criterion) -> dict[str, Any]:
        node: dict[str, Any] = {"label": c.label, "kind": c.kind}
        node.update({f: getattr(c, f) for f in NODE_FIELDS})
        node["path"] = c.path or None
        node["indication"] = c.indication or None
        node["k"] = c.k
        node["check"] = (
            {"name": c.check_name, "params": c.check_params, "negate": c.check_negate}
            if c.check_name
            else None
        )
        node["evidence_required"] = c.evidence_required
        node["children"] = [build(child) for child in children.get(c.pk, [])]
        return node

    return [build(root) for root in children.get(None, [])]


def _criteria_tree_dict(version: PolicyVersion) -> dict[str, Any] | None:
    roots = _criteria_tree_dicts(version)
    return roots[0] if len(roots) == 1 else None


def criteria_trees(version: PolicyVersion) -> list[Node]:
    """The version's criteria as the engine's trees, one per root, read from its rows as they
    are (a draft being built may have no root or several, and need not be a valid document)."""
    return [document.tree_from_dict(root) for root in _criteria_tree_dicts(version)]


def version_document_raw(version: PolicyVersion) -> dict[str, Any]:
    """The version as a document dict, before validation (for checking drafts)."""
    policy = version.policy
    body: dict[str, Any] = {key: getattr(version, field) for key, field in VERSION_FIELDS.items()}
    for section, mapping in (
        ("dosing", DOSING_FIELDS),
        ("approval", APPROVAL_FIELDS),
        ("edits_and_denials", EDITS_FIELDS),
    ):
        body[section] = {
            key: (getattr(version, field) or None)
            if field in NULLABLE_CHOICES
            else getattr(version, field)
            for key, field in mapping.items()
        }
    body["paths"] = version.path_names
    body["claims"] = {
        "billing_units": list(version.billing_units or []),
        "waste": {key: getattr(version, field) for key, field in WASTE_FIELDS.items()},
    }
    body["lists"] = {
        lst.key: {
            "title": lst.title,
            "items": [
                {
                    "name": i.name,
                    "generic": i.generic,
                    "as_written": i.as_written,
                    "synonyms": list(i.synonyms),
                }
                for i in lst.items.all()
            ],
        }
        for lst in version.lists.all()
    }
    body["indications"] = [indication_dict(i) for i in version.indications.all()]
    body["criteria"] = _criteria_tree_dict(version)
    body["test_cases"] = [
        {
            "name": t.name,
            "request_type": t.request_type,
            "indication": t.indication or None,
            "answers": t.answers,
            "facts": t.facts or None,
            "expect": t.expect,
        }
        for t in version.test_cases.all()
    ]
    return {
        "format": document.FORMAT,
        "policy": {
            "number": policy.number,
            "title": policy.title,
            "drugs": [drug.as_dict() for drug in policy.drugs.all()],
        },
        "version": body,
    }


def version_read(version: PolicyVersion) -> tuple[dict[str, Any] | None, list[str]]:
    """(normalized document, []) when the version is valid, else (None, everything wrong with
    it, in words for an admin): one validation, for callers that want both."""
    raw = version_document_raw(version)
    if raw["version"]["criteria"] is None:
        return None, ["The criteria tree must have exactly one root (a node with no parent)."]
    normal, problems = document.read(raw, references=reference_lists())
    return (None, [str(p) for p in problems]) if problems else (normal, [])


def version_problems(version: PolicyVersion) -> list[str]:
    """Everything wrong with a version's content, in words for an admin."""
    return version_read(version)[1]


def version_document(version: PolicyVersion) -> dict[str, Any]:
    """The version as a normalized document; raises DocumentError when it is not valid."""
    raw = version_document_raw(version)
    if raw["version"]["criteria"] is None:
        raise document.DocumentError(
            [
                document.Problem(
                    "version.criteria", None, "the criteria tree must have exactly one root"
                )
            ]
        )
    return document.normalize(raw, references=reference_lists())


def version_prefetched(version_id: int) -> PolicyVersion:
    """A version with everything a document needs, in a fixed handful of queries."""
    return (
        PolicyVersion.objects.select_related("policy")
        .prefetch_related("policy__drugs", "criteria", "lists__items", "test_cases", "indications")
        .get(pk=version_id)
    )


# Published and retired versions never change, so each is read and parsed once per process.
_parsed: dict[int, tuple[dict[str, Any], Node]] = {}


def version_parsed(version_id: int) -> tuple[dict[str, Any], Node]:
    """(normalized document, criteria tree) of a version. Callers must not change them: a
    published version's pair is shared by every request this process serves."""
    if (hit := _parsed.get(version_id)) is not None:
        return hit
    version = version_prefetched(version_id)
    doc = version_document(version)
    parsed = doc, document.tree_from_dict(doc["version"]["criteria"])
    if version.status != PolicyVersion.Status.DRAFT:
        _parsed[version_id] = parsed
    return parsed


def version_parsed_forget() -> None:
    """Empty the cache (tests, whose database ids repeat from one test to the next)."""
    _parsed.clear()


def version_tree(version: PolicyVersion) -> Node:
    return document.tree_from_dict(version_document(version)["version"]["criteria"])


def version_quantities(version: PolicyVersion) -> list[dict[str, Any]]:
    """For each indication, the terms of an initial and an extended approval starting today,
    per the one rule (services/determinations.py), for the policy page."""
    from reviews.services.determinations import NoContinuation, policy_terms

    out = []
    for indication in version.indications.all():
        terms: dict[str, Any] = {
            "indication": indication,
            "initial": policy_terms(version=version, indication=indication, request_type="initial"),
        }
        with contextlib.suppress(NoContinuation):
            terms["extended"] = policy_terms(
                version=version, indication=indication, request_type="continuation"
            )
        out.append(terms)
    return out
