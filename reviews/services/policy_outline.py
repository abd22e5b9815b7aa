"""The criteria tree of a draft, edited one node at a time: add, change, move, delete.

Each function makes one saved change (services.policy_edits.policy_edit, so it can be
undone). Positions among siblings are kept 0, 1, 2, ... after every change.
"""

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from reviews.engine.check_proposals import GroupProposal, Proposal, check_propose, group_propose
from reviews.engine.check_words import check_rule_text
from reviews.engine.checks import check_problems
from reviews.engine.outline_text import OutlineTextError, PastedNode, outline_parse
from reviews.engine.tree import Check
from reviews.errors import ReviewError
from reviews.models import Criterion, Policy, PolicyVersion
from reviews.reference_lists import reference_lists
from reviews.selectors.policies import version_indications, version_lists
from reviews.services.policies import require_policy_admin
from reviews.services.policy_edits import policy_edit

GROUP_KINDS = {Criterion.Kind.ALL, Criterion.Kind.ANY, Criterion.Kind.K_OF_N, Criterion.Kind.IF}
ROMAN = [
    "i",
    "ii",
    "iii",
    "iv",
    "v",
    "vi",
    "vii",
    "viii",
    "ix",
    "x",
    "xi",
    "xii",
    "xiii",
    "xiv",
    "xv",
    "xvi",
    "xvii",
    "xviii",
    "xix",
    "xx",
]


class OutlineRefused(ReviewError):
    """A tree change that cannot be made as asked; the message says why and what to do."""


@transaction.atomic
def policy_create(*, number: str, title: str, effective_date: date, actor) -> PolicyVersion:
    """A new policy with an empty first draft: one root group ("all of") to build under."""
    require_policy_admin(actor)
    try:
        with transaction.atomic():
            policy = Policy.objects.create(number=number.strip(), title=title.strip())
    except IntegrityError:
        raise OutlineRefused(f"Policy {number} already exists; open it from the list.") from None
    version = PolicyVersion.objects.create(
        policy=policy, number=1, effective_date=effective_date, created_by=actor
    )
    Criterion.objects.create(
        version=version, label="root", kind=Criterion.Kind.ALL, title=title.strip()
    )
    return version


def _siblings(version: PolicyVersion, parent_id: int | None) -> list[Criterion]:
    return list(
        Criterion.objects.filter(version=version, parent_id=parent_id).order_by("position", "pk")
    )


def _renumber(siblings: list[Criterion]) -> None:
    changed = []
    for position, node in enumerate(siblings):
        if node.position != position:
            node.position = position
            changed.append(node)
    Criterion.objects.bulk_update(changed, ["position"])


def _next_segment(segment: str) -> str:
    if segment.isdigit():
        return str(int(segment) + 1)
    if segment in ROMAN[:-1]:
        return ROMAN[ROMAN.index(segment) + 1]
    if len(segment) == 1 and segment.isalpha() and segment.lower() != "z":
        return chr(ord(segment) + 1)
    return f"{segment}2"


def _first_segment(parent_label: str) -> str:
    """The first child's segment under a parent: 1 under a number's sibling style, A under
    a number, i under a letter (the policies' own 1 → A → i nesting)."""
    last = parent_label.rsplit(".", 1)[-1]
    if last.isdigit():
        return "A"
    if len(last) == 1 and last.isupper():
        return "i"
    if last in ROMAN:
        return "a"
    return "1"


def label_suggest(version: PolicyVersion, parent: Criterion | None, after: Criterion | None) -> str:
    """A free label for a new node: the one after `after` (x.B after x.A), else the
    first under `parent` (A under a number, i under a letter; 1 under the root)."""
    taken = set(Criterion.objects.filter(version=version).values_list("label", flat=True))
    if after is not None:
        head, _, last = after.label.rpartition(".")
        candidate = f"{head}.{_next_segment(last)}" if head else _next_segment(last)
    elif parent is None or parent.parent_id is None:
        candidate = "1"
        siblings = [c.label for c in _siblings(version, parent.pk)] if parent else []
        numbers = [int(s) for s in siblings if s.isdigit()]
        candidate = str(max(numbers, default=0) + 1)
    else:
        candidate = f"{parent.label}.{_first_segment(parent.label)}"
    base, n = candidate, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _node_summary(node: Criterion) -> str:
    return f"{node.label} ({node.get_kind_display().lower()})"


def criterion_add(
    *, version: PolicyVersion, actor, anchor: Criterion, where: str, fields: dict[str, Any]
) -> Criterion:
    """Add a node as the last child of `anchor` (where="child") or right after it
    (where="sibling"). `fields` are the node's model fields, label included."""
    if where not in ("child", "sibling"):
        raise OutlineRefused("Add a node as a child or as a sibling.")
    with policy_edit(
        version=version, actor=actor, summary=f"Added {fields.get('label', '')}"
    ) as locked:
        anchor = Criterion.objects.get(pk=anchor.pk, version=locked)
        if where == "sibling" and anchor.parent_id is None:
            raise OutlineRefused("The root has no siblings; add the node as its child.")
        if where == "child" and anchor.kind == Criterion.Kind.LEAF:
            raise OutlineRefused(
                f"{anchor.label} is a question; change its kind to a group before adding "
                "nodes under it."
            )
        parent_id = anchor.pk if where == "child" else anchor.parent_id
        siblings = _siblings(locked, parent_id)
        index = len(siblings) if where == "child" else siblings.index(anchor) + 1
        try:
            with transaction.atomic():
                node = Criterion.objects.create(
                    version=locked, parent_id=parent_id, position=len(siblings), **fields
                )
        except IntegrityError:
            raise OutlineRefused(
                f"The label {fields.get('label')} is already used in this version."
            ) from None
        siblings.insert(index, node)
        _renumber(siblings)
    return node


def criterion_update(
    *, version: PolicyVersion, actor, criterion: Criterion, fields: dict[str, Any]
) -> Criterion:
    """Change a node's own fields (not its place in the tree)."""
    with policy_edit(version=version, actor=actor, summary=f"Changed {criterion.label}") as locked:
        node = Criterion.objects.get(pk=criterion.pk, version=locked)
        if (
            fields.get("kind") == Criterion.Kind.LEAF
            and Criterion.objects.filter(parent=node).exists()
        ):
            raise OutlineRefused(
                f"{node.label} has nodes under it; move or delete them before making it a question."
            )
        for field, value in fields.items():
            setattr(node, field, value)
        try:
            with transaction.atomic():
                node.save()
        except IntegrityError:
            raise OutlineRefused(
                f"The label {fields.get('label')} is already used in this version."
            ) from None
    return node


MOVES = ("up", "down", "indent", "outdent")


def criterion_move(
    *, version: PolicyVersion, actor, criterion: Criterion, direction: str
) -> Criterion:
    """Move a node (with everything under it): up or down among its siblings; indent (into
    the group just above it, as its last child); outdent (out of its group, right after it)."""
    words = {"up": "up", "down": "down", "indent": "in", "outdent": "out"}.get(direction, "")
    with policy_edit(
        version=version, actor=actor, summary=f"Moved {criterion.label} {words}"
    ) as locked:
        # Judged once the draft is known to be one: a published version refuses any move.
        if direction not in MOVES:
            raise OutlineRefused(f"Move a node {', '.join(MOVES)}.")
        node = Criterion.objects.get(pk=criterion.pk, version=locked)
        if node.parent_id is None:
            raise OutlineRefused("The root stays where it is.")
        siblings = _siblings(locked, node.parent_id)
        index = siblings.index(node)
        if direction in ("up", "down"):
            other = index - 1 if direction == "up" else index + 1
            if not 0 <= other < len(siblings):
                raise OutlineRefused(
                    f"{node.label} is already the {'first' if direction == 'up' else 'last'} "
                    "in its group."
                )
            siblings[index], siblings[other] = siblings[other], siblings[index]
            _renumber(siblings)
        elif direction == "indent":
            if index == 0:
                raise OutlineRefused(
                    f"{node.label} is the first in its group: there is no group above it to "
                    "move it into."
                )
            new_parent = siblings[index - 1]
            if new_parent.kind == Criterion.Kind.LEAF:
                raise OutlineRefused(
                    f"{new_parent.label}, just above, is a question; make it a group first "
                    f"to move {node.label} into it."
                )
            last = Criterion.objects.filter(parent=new_parent).aggregate(m=Max("position"))["m"]
            node.parent = new_parent
            node.position = (last if last is not None else -1) + 1
            node.save(update_fields=["parent", "position"])
            _renumber(_siblings(locked, siblings[0].parent_id))
        else:
            parent = Criterion.objects.get(pk=node.parent_id)
            if parent.parent_id is None:
                raise OutlineRefused(f"{node.label} is already at the top level (under the root).")
            outer = _siblings(locked, parent.parent_id)
            node.parent_id = parent.parent_id
            node.save(update_fields=["parent"])
            outer.insert(outer.index(parent) + 1, node)
            _renumber(outer)
            _renumber(_siblings(locked, parent.pk))
    return node


def subtree_labels(criterion: Criterion) -> list[str]:
    """The labels of a node and everything under it, in outline order."""
    by_parent: dict[int | None, list[Criterion]] = {}
    for node in Criterion.objects.filter(version_id=criterion.version_id).order_by("position"):
        by_parent.setdefault(node.parent_id, []).append(node)
    out: list[str] = []

    def walk(node: Criterion) -> None:
        out.append(node.label)
        for child in by_parent.get(node.pk, []):
            walk(child)

    walk(criterion)
    return out


def criterion_delete(*, version: PolicyVersion, actor, criterion: Criterion) -> list[str]:
    """Delete a node and everything under it; returns the labels that went."""
    labels = subtree_labels(criterion)
    summary = f"Deleted {criterion.label}" + (
        f" and {len(labels) - 1} node{'s' if len(labels) > 2 else ''} under it"
        if len(labels) > 1
        else ""
    )
    with policy_edit(version=version, actor=actor, summary=summary) as locked:
        node = Criterion.objects.get(pk=criterion.pk, version=locked)
        if node.parent_id is None:
            raise OutlineRefused("The root cannot be deleted; delete the nodes under it.")
        parent_id = node.parent_id
        node.delete()  # its subtree goes with it (Criterion.parent cascades)
        _renumber(_siblings(locked, parent_id))
    return labels


_LABEL = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]*$")


def label_problem(label: str) -> str | None:
    if not _LABEL.match(label):
        return "Use letters, digits, dots and dashes, as in the policy's own labels."
    return None


@dataclass(frozen=True)
class PastedRow:
    """One pasted line as the paste page shows it: the node, its depth, and what its words
    propose (a check for a question, an indication or path for a group), with that proposal
    in words."""

    node: PastedNode
    depth: int
    proposal: Proposal | GroupProposal | None
    words: str


def _parse(text: str) -> list[PastedNode]:
    try:
        return outline_parse(text)
    except OutlineTextError as error:
        raise OutlineRefused("; ".join(error.problems)) from None


def criteria_paste_read(*, version: PolicyVersion, text: str) -> list[PastedRow]:
    """The pasted text as rows, each with what its words propose (engine/check_proposals.py)
    against this version's lists and indications. Only a proposal the engine finds usable is
    kept. Nothing is saved."""
    lists, indications = version_lists(version), version_indications(version)
    references = reference_lists()
    names = {i["key"]: i["name"] for i in indications}
    rows: list[PastedRow] = []

    def walk(nodes: list[PastedNode], depth: int) -> None:
        for node in nodes:
            proposal: Proposal | GroupProposal | None
            words = ""
            if node.kind == Criterion.Kind.LEAF:
                proposal = check_propose(node.text, lists=lists, indications=indications)
                check = Check(proposal.name, proposal.params) if proposal else None
                if check and check_problems(check, lists, references):
                    proposal = None
                if proposal:
                    words = check_rule_text(proposal.name, proposal.params, False, lists)
            else:
                proposal = group_propose(node.title, indications=indications)
                if proposal and proposal.indication:
                    words = f"For the indication {names[proposal.indication]}."
                elif proposal:
                    words = f"Only on the {Criterion.Path(proposal.path).label.lower()} path."
            rows.append(PastedRow(node, depth, proposal, words))
            walk(node.children, depth + 1)

    walk(_parse(text), 0)
    return rows


@dataclass(frozen=True)
class PasteSetting:
    """What the proposals page sets on one pasted node besides its words; None keeps what
    the text and its kept proposal give (evidence required, the parsed title, the kept
    group proposal's path and indication). Evidence is asked of questions only."""

    evidence_required: bool | None = None
    title: str | None = None
    path: str | None = None
    indication: str | None = None


TITLE_LENGTH = Criterion._meta.get_field("title").max_length


def _settings_refused(
    settings: Mapping[str, PasteSetting],
    nodes: Mapping[str, PastedNode],
    paths: Mapping[str, str],
    indications: set[str],
) -> str | None:
    """Why the settings cannot be saved with the pasted nodes, naming the label; or None."""
    for label, setting in settings.items():
        node = nodes.get(label)
        if node is None:
            return f"No pasted criterion is labelled {label}; paste it, or leave its settings out."
        if setting.evidence_required is not None and node.kind != Criterion.Kind.LEAF:
            return f"{label} is a group: evidence is asked of questions only."
        if setting.path is not None and setting.path not in ("", *paths):
            return (
                f"The path {setting.path!r} of {label} is not one of this version's "
                f"({', '.join(paths)}); leave it blank for both."
            )
        if setting.indication is not None and setting.indication not in ("", *indications):
            return (
                f"This version has no indication {setting.indication!r} (the indication of "
                f"{label}); add it first, or leave it blank for every indication."
            )
        if setting.title is not None and len(setting.title.strip()) > TITLE_LENGTH:
            return f"The title of {label} is longer than {TITLE_LENGTH} characters."
    return None


def criteria_paste(
    *,
    version: PolicyVersion,
    actor,
    anchor: Criterion,
    text: str,
    accepted: Mapping[str, Proposal | GroupProposal] | None = None,
    settings: Mapping[str, PasteSetting] | None = None,
    anchor_title: str | None = None,
) -> list[Criterion]:
    """Add the criteria of a pasted text (engine/outline_text.py) under a group, after its
    children, as one change. Refused whole when a line cannot be read or a label is taken.

    accepted: by label, the proposals (criteria_paste_read) the analyst kept: a question
    gets its check (with the proposal's params, as the analyst left them), a group its
    indication or path. Each is judged again here.
    settings: by label, what the analyst set beside the words (PasteSetting): a question's
    "evidence required", a group's title, path and indication (these replace a kept
    group proposal's). A label not pasted, a path or an indication this version does not
    have refuses the whole paste, naming the label.
    anchor_title: the anchor's new title, saved in the same change; None leaves it."""
    roots = _parse(text)
    accepted = dict(accepted or {})
    settings = dict(settings or {})
    lists, references = version_lists(version), reference_lists()
    for label, proposal in accepted.items():
        if isinstance(proposal, Proposal) and check_problems(
            Check(proposal.name, proposal.params), lists, references
        ):
            raise OutlineRefused(f"The check proposed for {label} is no longer usable.")
    if anchor_title is not None:
        anchor_title = anchor_title.strip()
        if len(anchor_title) > TITLE_LENGTH:
            raise OutlineRefused(
                f"The title of {anchor.label} is longer than {TITLE_LENGTH} characters."
            )
    count = len(list(_pasted(roots)))
    retitled = anchor_title is not None and anchor_title != anchor.title
    summary = f"Pasted {count} criteria under {anchor.label}" + (
        f" and retitled {anchor.label}" if retitled else ""
    )
    with policy_edit(version=version, actor=actor, summary=summary) as locked:
        anchor = Criterion.objects.get(pk=anchor.pk, version=locked)
        if anchor.kind == Criterion.Kind.LEAF:
            raise OutlineRefused(f"{anchor.label} is a question; paste the criteria under a group.")
        taken = set(Criterion.objects.filter(version=locked).values_list("label", flat=True))
        clashes = [n.label for n in _pasted(roots) if n.label in taken]
        if clashes:
            raise OutlineRefused(
                f"These labels are already used in this version: {', '.join(clashes)}. "
                "Change them in the text, or delete the old nodes first."
            )
        refused = _settings_refused(
            settings,
            {n.label: n for n in _pasted(roots)},
            locked.path_names,
            set(locked.indications.values_list("key", flat=True)),
        )
        if refused:
            raise OutlineRefused(refused)
        if anchor_title is not None and anchor_title != anchor.title:
            anchor.title = anchor_title
            anchor.save(update_fields=["title"])
        start = Criterion.objects.filter(parent=anchor).count()
        created: list[Criterion] = []

        def create(node, parent: Criterion, position: int) -> None:
            proposal = accepted.get(node.label)
            fields: dict[str, Any] = {"title": node.title}
            if isinstance(proposal, Proposal) and node.kind == Criterion.Kind.LEAF:
                fields |= {"check_name": proposal.name, "check_params": proposal.params}
            elif isinstance(proposal, GroupProposal) and node.kind != Criterion.Kind.LEAF:
                fields |= {"indication": proposal.indication, "path": proposal.path}
            setting = settings.get(node.label, PasteSetting())
            fields |= {
                name: value.strip() if name == "title" else value
                for name, value in asdict(setting).items()
                if value is not None
            }
            row = Criterion.objects.create(
                version=locked,
                parent=parent,
                position=position,
                label=node.label,
                kind=node.kind,
                k=node.k,
                text=node.text,
                **fields,
            )
            created.append(row)
            for i, child in enumerate(node.children):
                create(child, row, i)

        for i, node in enumerate(roots):
            create(node, anchor, start + i)
    return created


def _pasted(nodes):
    for node in nodes:
        yield node
        yield from _pasted(node.children)
