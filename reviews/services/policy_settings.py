"""A draft's settings, one saved change each: its text, its drugs, its indications (with their
dosing rules) and its lists.

Every function writes inside services.policy_edits.policy_edit, so each change can be undone
and a published version is refused. What the rows say is judged by the engine's own document
validation (reviews.engine.document): a change is refused when it brings a problem into the
part of the document it wrote, and each problem keeps the document's place and words, so a
form can put it at its field.
"""

import re
from typing import Any

from reviews.engine import checks, document
from reviews.engine.dosing import Regimen
from reviews.errors import PolicyInvalid, ReviewError
from reviews.models import (
    Criterion,
    Indication,
    Policy,
    PolicyList,
    PolicyListItem,
    PolicyTestCase,
    PolicyVersion,
)
from reviews.policy_documents import (
    APPROVAL_FIELDS,
    DOSING_FIELDS,
    EDITS_FIELDS,
    PATH_FIELDS,
    VERSION_FIELDS,
    WASTE_FIELDS,
    version_document_raw,
    version_prefetched,
)
from reviews.reference_lists import reference_lists
from reviews.services.policies import policy_drugs_set
from reviews.services.policy_edits import policy_edit

# The version's own fields the policy-text form writes (the policy's title aside): every
# field the document maps to the version, but its number and status.
TEXT_FIELDS = frozenset(
    [
        *(field for key, field in VERSION_FIELDS.items() if key not in ("number", "status")),
        *PATH_FIELDS.values(),
        *DOSING_FIELDS.values(),
        *APPROVAL_FIELDS.values(),
        *EDITS_FIELDS.values(),
        *WASTE_FIELDS.values(),
        "billing_units",
    ]
)
INDICATION_FIELDS = (
    "key",
    "name",
    "diagnosis_codes",
    "codes_source",
    "initial_approval_count",
    "initial_approval_unit",
    "extended_approval_count",
    "extended_approval_unit",
    "regimen",
)


class SettingsRefused(ReviewError):
    """A change refused as asked. `problems` are (place, message): the place inside the part
    written ("key", "regimen.phases[0].dose.amount", "" for the whole), the message the
    document's own."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


def _problems(version: PolicyVersion) -> list[document.Problem]:
    raw = version_document_raw(version_prefetched(version.pk))
    return document.validate(raw, references=reference_lists())


def _refuse_new(
    version: PolicyVersion, before: list[document.Problem], prefix: str, also: tuple[str, ...] = ()
) -> None:
    """Refuse the change when it brought problems at `prefix` (or at a place in `also`); a
    problem the draft already had elsewhere is left for the publish check."""
    known = {str(p) for p in before}
    found: list[tuple[str, str]] = []
    for problem in _problems(version):
        if str(problem) in known:
            continue
        if problem.where == prefix or problem.where.startswith((f"{prefix}.", f"{prefix}[")):
            found.append((problem.where[len(prefix) :].lstrip("."), problem.message))
        elif problem.where in also:
            found.append((problem.where, problem.message))
    if found:
        raise SettingsRefused("Not saved: " + "; ".join(m for _, m in found), found)


# ---- the policy's text -----------------------------------------------------------------------


def policy_text_save(*, version: PolicyVersion, actor, title: str, fields: dict[str, Any]) -> None:
    """The policy's title and the version's dates, path names and text sections."""
    unknown = set(fields) - TEXT_FIELDS
    if unknown:
        raise SettingsRefused(f"Not policy text: {', '.join(sorted(unknown))}.")
    with policy_edit(version=version, actor=actor, summary="Changed the policy text") as locked:
        before = _problems(locked)
        Policy.objects.filter(pk=locked.policy_id).update(title=title.strip())
        for field, value in fields.items():
            setattr(locked, field, value)
        locked.remark_codes = _remark_rows(locked.remark_codes)
        locked.save(update_fields=list(fields))
        known = {str(p) for p in before}
        found = [
            (p.where, p.message)
            for p in _problems(locked)
            if str(p) not in known
            and (p.where.startswith("policy.title") or _is_text_place(p.where))
        ]
        if found:
            raise SettingsRefused("Not saved: " + "; ".join(m for _, m in found), found)


def _remark_rows(rows) -> list[dict[str, str]]:
    """Remark codes as {code, meaning} rows, blank codes left out (a bare code, the older
    form, is a code with no meaning yet)."""
    out = []
    for row in rows or []:
        row = {"code": row} if isinstance(row, str) else dict(row)
        code = str(row.get("code") or "").strip()
        if code:
            out.append({"code": code, "meaning": str(row.get("meaning") or "").strip()})
    return out


def _is_text_place(where: str) -> bool:
    parts = where.split(".")
    if parts[0] != "version" or len(parts) < 2:
        return False
    head = parts[1].split("[")[0]
    return head not in {"indications", "lists", "criteria", "test_cases"}


# ---- drugs -------------------------------------------------------------------------------------


def policy_drugs_save(*, version: PolicyVersion, actor, drugs: list[dict[str, Any]]) -> None:
    """The policy's drugs, in order (services.policies.policy_drugs_set: a drug keeps its row
    while its brand is listed; one that cases asked for is never dropped)."""
    if not drugs:
        raise SettingsRefused("A policy covers at least one drug.", [("", "list at least one")])
    with policy_edit(version=version, actor=actor, summary="Changed the drugs") as locked:
        # Judged as given: two rows of one brand would otherwise land on one drug's row.
        raw = version_document_raw(version_prefetched(locked.pk))
        raw["policy"]["drugs"] = drugs
        found = [
            (p.where.removeprefix("policy.drugs"), p.message)
            for p in document.validate(raw, references=reference_lists())
            if p.where.startswith("policy.drugs")
        ]
        if found:
            raise SettingsRefused("Not saved: " + "; ".join(m for _, m in found), found)
        try:
            policy_drugs_set(policy=locked.policy, drugs=drugs)
        except PolicyInvalid as error:
            reasons = [p.removeprefix("policy.drugs: ") for p in error.problems]
            raise SettingsRefused(
                "Not saved: " + "; ".join(reasons), [("", r) for r in reasons]
            ) from error


# ---- indications ---------------------------------------------------------------------------------


def _indication_fields(fields: dict[str, Any]) -> dict[str, Any]:
    missing = set(INDICATION_FIELDS) - set(fields)
    if missing:
        raise SettingsRefused(f"Missing: {', '.join(sorted(missing))}.")
    out = {name: fields[name] for name in INDICATION_FIELDS}
    out["key"] = (out["key"] or "").strip()
    out["name"] = (out["name"] or "").strip()
    out["diagnosis_codes"] = [c.strip() for c in out["diagnosis_codes"] or [] if c.strip()]
    if out["extended_approval_count"] is None:
        out["extended_approval_unit"] = "day"
    for name in ("initial_approval_count", "extended_approval_count"):
        count = out[name]
        if count is not None and (not isinstance(count, int) or count < 1):
            raise SettingsRefused(
                "Not saved: a count is a whole number of at least 1.",
                [(name, "must be a whole number of at least 1")],
            )
    return out


def _regimen_normal(indication: Indication) -> None:
    """The rule as the engine writes it (the document's normal form), once it is valid."""
    if indication.regimen:
        indication.regimen = Regimen.from_dict(indication.regimen).to_dict()
        indication.save(update_fields=["regimen"])


def _key_taken(version: PolicyVersion, key: str, model, exclude: int | None = None) -> bool:
    return model.objects.filter(version=version, key=key).exclude(pk=exclude).exists()


def indication_add(*, version: PolicyVersion, actor, fields: dict[str, Any]) -> Indication:
    values = _indication_fields(fields)
    with policy_edit(
        version=version, actor=actor, summary=f"Added indication {values['key']}"
    ) as locked:
        if _key_taken(locked, values["key"], Indication):
            raise SettingsRefused(
                "Not saved: another indication has that key.",
                [("key", f"another indication has the key {values['key']!r}")],
            )
        before = _problems(locked)
        position = locked.indications.count()
        indication = Indication.objects.create(
            version=locked, position=position, **_storable(values)
        )
        _refuse_new(
            locked, before, f"version.indications[{position}]", ("version.dosing.monthly_means",)
        )
        _regimen_normal(indication)
    return indication


def indication_change(
    *, version: PolicyVersion, actor, indication: Indication, fields: dict[str, Any]
) -> Indication:
    """Change an indication; a new key is renamed in the criteria and test cases too."""
    values = _indication_fields(fields)
    old = indication.key
    summary = (
        f"Changed indication {old}"
        if values["key"] == old
        else f"Renamed indication {old} to {values['key']}"
    )
    with policy_edit(version=version, actor=actor, summary=summary) as locked:
        row = Indication.objects.get(pk=indication.pk, version=locked)
        if _key_taken(locked, values["key"], Indication, exclude=row.pk):
            raise SettingsRefused(
                "Not saved: another indication has that key.",
                [("key", f"another indication has the key {values['key']!r}")],
            )
        before = _problems(locked)
        for name, value in _storable(values).items():
            setattr(row, name, value)
        row.save()
        if values["key"] != old:
            _indication_rename(locked, old, values["key"])
        index = list(locked.indications.values_list("pk", flat=True)).index(row.pk)
        _refuse_new(
            locked, before, f"version.indications[{index}]", ("version.dosing.monthly_means",)
        )
        _regimen_normal(row)
    return row


def _storable(values: dict[str, Any]) -> dict[str, Any]:
    """JSON for the regimen column: decimals as their text."""
    return {**values, "regimen": _json_plain(values["regimen"]) or None}


def _json_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_json_plain(v) for v in value]
    if isinstance(value, int | bool | str) or value is None:
        return value
    return str(value)


def _indication_rename(version: PolicyVersion, old: str, new: str) -> None:
    Criterion.objects.filter(version=version, indication=old).update(indication=new)
    for case in PolicyTestCase.objects.filter(version=version):
        changed = False
        if case.indication == old:
            case.indication, changed = new, True
        if isinstance(case.expect, dict) and case.expect.get("indication") == old:
            case.expect = {**case.expect, "indication": new}
            changed = True
        if changed:
            case.save(update_fields=["indication", "expect"])


def indication_users(version: PolicyVersion, key: str) -> list[str]:
    """What names the indication, in words: "criterion <label>", "test case \"<name>\""."""
    named = [
        f"criterion {label}"
        for label in Criterion.objects.filter(version=version, indication=key)
        .order_by("label")
        .values_list("label", flat=True)
    ]
    named += [
        f'test case "{case.name}"'
        for case in PolicyTestCase.objects.filter(version=version)
        if case.indication == key
        or (isinstance(case.expect, dict) and case.expect.get("indication") == key)
    ]
    return named


def indication_delete(*, version: PolicyVersion, actor, indication: Indication) -> None:
    """Delete an indication no criterion or test case names."""
    with policy_edit(
        version=version, actor=actor, summary=f"Deleted indication {indication.key}"
    ) as locked:
        row = Indication.objects.get(pk=indication.pk, version=locked)
        users = indication_users(locked, row.key)
        if users:
            raise SettingsRefused(
                f"Indication {row.key} was not deleted: {', '.join(users)} name"
                f"{'s' if len(users) == 1 else ''} it. Change or delete "
                f"{'it' if len(users) == 1 else 'them'} first."
            )
        row.delete()
        for position, other in enumerate(locked.indications.order_by("position", "pk")):
            if other.position != position:
                Indication.objects.filter(pk=other.pk).update(position=position)


# ---- lists -------------------------------------------------------------------------------------


def _list_params(criterion: Criterion) -> list[str]:
    """The names of the criterion's check params that name a list of the version."""
    spec = checks.CHECKS.get(criterion.check_name)
    if spec is None:
        return []
    return [name for name, param in spec.params.items() if param.kind == "list"]


def list_users(version: PolicyVersion, key: str) -> list[str]:
    """The labels of the criteria whose check names the list."""
    return [
        c.label
        for c in Criterion.objects.filter(version=version).exclude(check_name="").order_by("label")
        if any((c.check_params or {}).get(name) == key for name in _list_params(c))
    ]


def _items_clean(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        out.append(
            {
                "name": (item.get("name") or "").strip(),
                "generic": (item.get("generic") or "").strip(),
                "as_written": (item.get("as_written") or "").strip(),
                "synonyms": [s.strip() for s in item.get("synonyms") or [] if s.strip()],
            }
        )
    return out


def _list_write(policy_list: PolicyList, items: list[dict[str, Any]]) -> None:
    policy_list.items.all().delete()
    PolicyListItem.objects.bulk_create(
        PolicyListItem(policy_list=policy_list, position=i, **item) for i, item in enumerate(items)
    )


def _list_place(version: PolicyVersion, key: str) -> str:
    """The list's place in the document (lists are sorted by key there)."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key)
    return f"version.lists.{key}" if plain else f'version.lists["{key}"]'


def _refuse_list_problems(version: PolicyVersion, before: list, key: str) -> None:
    """As _refuse_new; a problem at the list itself is its key's (the document's map key)."""
    try:
        _refuse_new(version, before, _list_place(version, key))
    except SettingsRefused as error:
        error.problems = [(place or "key", message) for place, message in error.problems]
        raise


def list_add(
    *, version: PolicyVersion, actor, key: str, title: str, items: list[dict[str, Any]]
) -> PolicyList:
    key, items = key.strip(), _items_clean(items)
    with policy_edit(version=version, actor=actor, summary=f"Added list {key}") as locked:
        if _key_taken(locked, key, PolicyList):
            raise SettingsRefused(
                "Not saved: another list has that key.",
                [("key", f"another list has the key {key!r}")],
            )
        before = _problems(locked)
        policy_list = PolicyList.objects.create(
            version=locked, key=key, title=title.strip(), position=locked.lists.count()
        )
        _list_write(policy_list, items)
        _refuse_list_problems(locked, before, key)
    return policy_list


def list_change(
    *,
    version: PolicyVersion,
    actor,
    policy_list: PolicyList,
    key: str,
    title: str,
    items: list[dict[str, Any]],
) -> PolicyList:
    """Change a list's key, title and items; a new key is renamed in the checks that name it."""
    key, items = key.strip(), _items_clean(items)
    old = policy_list.key
    summary = f"Changed list {old}" if key == old else f"Renamed list {old} to {key}"
    with policy_edit(version=version, actor=actor, summary=summary) as locked:
        row = PolicyList.objects.get(pk=policy_list.pk, version=locked)
        if _key_taken(locked, key, PolicyList, exclude=row.pk):
            raise SettingsRefused(
                "Not saved: another list has that key.",
                [("key", f"another list has the key {key!r}")],
            )
        before = _problems(locked)
        row.key, row.title = key, title.strip()
        row.save(update_fields=["key", "title"])
        _list_write(row, items)
        if key != old:
            for criterion in Criterion.objects.filter(version=locked).exclude(check_name=""):
                names = [n for n in _list_params(criterion) if criterion.check_params.get(n) == old]
                if names:
                    criterion.check_params = {
                        **criterion.check_params,
                        **{n: key for n in names},
                    }
                    criterion.save(update_fields=["check_params"])
        _refuse_list_problems(locked, before, key)
    return row


def list_delete(*, version: PolicyVersion, actor, policy_list: PolicyList) -> None:
    """Delete a list no check names."""
    with policy_edit(
        version=version, actor=actor, summary=f"Deleted list {policy_list.key}"
    ) as locked:
        row = PolicyList.objects.get(pk=policy_list.pk, version=locked)
        users = list_users(locked, row.key)
        if users:
            raise SettingsRefused(
                f"List {row.key} was not deleted: the check{'s' if len(users) > 1 else ''} of "
                f"{', '.join(users)} name{'s' if len(users) == 1 else ''} it. Change "
                f"{'it' if len(users) == 1 else 'them'} first."
            )
        row.delete()
