"""Criteria trees and their three-valued (Kleene) evaluation.

A tree is immutable data: groups (all / any / k_of_n) and conditionals (if) over leaves. A
reviewer answers leaves (met / not met / not documented); evaluation folds those answers into
met / not met / unknown, names the leaves that decide the result and the leaves that keep it
from being met.

An `if` node has exactly two children, the condition and the then-subtree, and reads as the
Kleene implication "condition -> then": condition met, the node is the then-subtree's result;
condition not met, the node does not apply and counts as met; condition unknown, the node is
unknown unless the then-subtree is already met. The then-subtree's leaves are asked only once
the condition is met (`asked_leaves`), so they are neither failing nor unanswered before; while
the condition is open, only its leaves are failing. An if that does not apply adds no deciding
leaf: the deciding leaves are the met grounds an approval cites, and its condition is not met.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    ALL = "all"
    ANY = "any"
    K_OF_N = "k_of_n"
    LEAF = "leaf"
    IF = "if"  # children: the condition, then the subtree that applies when it is met


class Answer(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_DOCUMENTED = "not_documented"


class Truth(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # True: the criterion is the check's opposite (met <-> not met; the rest unchanged).
    negate: bool = False


@dataclass(frozen=True)
class Node:
    label: str
    kind: Kind
    text: str = ""
    note: str = ""
    title: str = ""
    explanation: str = ""
    plain_language: str = ""
    path: str | None = None
    # The key of the one indication this node and its subtree apply to; None: every one.
    indication: str | None = None
    k: int | None = None
    check: Check | None = None
    # False: an attestation, whose "met" needs no documentary evidence.
    evidence_required: bool = True
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    result: Truth
    path: str | None
    indication: str | None
    deciding: tuple[str, ...]
    node_results: Mapping[str, Truth]
    failing: tuple[str, ...]
    unanswered: tuple[str, ...]  # asked leaves (see asked_leaves) without an answer


def is_on_path(node: Node, path: str | None, indication: str | None = None) -> bool:
    """Whether node applies to a request on `path` for `indication` (None: any)."""
    return (path is None or node.path is None or node.path == path) and (
        indication is None or node.indication is None or node.indication == indication
    )


def iter_nodes(
    root: Node, *, path: str | None = None, indication: str | None = None
) -> Iterator[tuple[Node, int]]:
    """Pre-order (node, depth), leaving out nodes of another path or another indication
    and their subtrees."""
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if not is_on_path(node, path, indication):
            continue
        yield node, depth
        stack.extend((child, depth + 1) for child in reversed(node.children))


def applicable_leaves(
    root: Node, *, path: str | None = None, indication: str | None = None
) -> list[Node]:
    return [
        node
        for node, _ in iter_nodes(root, path=path, indication=indication)
        if node.kind == Kind.LEAF
    ]


def if_parts(
    node: Node, path: str | None = None, indication: str | None = None
) -> tuple[Node, Node]:
    """An `if` node's condition and then-subtree; ValueError unless it has exactly those two on
    the path (the document format refuses any other shape)."""
    children = [child for child in node.children if is_on_path(child, path, indication)]
    if len(children) != 2:
        raise ValueError(
            f"Node {node.label!r} is an if and needs exactly two children on the path "
            f"(the condition, then the subtree), not {len(children)}."
        )
    return children[0], children[1]


def iter_asked(
    root: Node,
    node_results: Mapping[str, Truth],
    *,
    path: str | None = None,
    indication: str | None = None,
) -> Iterator[tuple[Node, int]]:
    """iter_nodes, leaving out the then-subtree of every `if` whose condition is not met (in
    node_results, an Evaluation's): those criteria are not asked, or not yet."""
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if not is_on_path(node, path, indication):
            continue
        yield node, depth
        children = node.children
        if node.kind == Kind.IF:
            condition, then = if_parts(node, path, indication)
            met = node_results.get(condition.label) == Truth.MET
            children = (condition, then) if met else (condition,)
        stack.extend((child, depth + 1) for child in reversed(children))


def asked_leaves(
    root: Node,
    node_results: Mapping[str, Truth],
    *,
    path: str | None = None,
    indication: str | None = None,
) -> list[Node]:
    return [
        node
        for node, _ in iter_asked(root, node_results, path=path, indication=indication)
        if node.kind == Kind.LEAF
    ]


def find(root: Node, label: str) -> Node | None:
    return next((node for node, _ in iter_nodes(root) if node.label == label), None)


def all_met_answers(
    root: Node, *, path: str | None = None, indication: str | None = None
) -> dict[str, Answer]:
    """Answers that meet every criterion on `path` for `indication` (None: any) with no
    condition applying: each leaf met, except inside an `if`, whose condition is answered so
    that it does not hold (its leaves not met: the if does not apply, so it is met) and whose
    then-subtree is left unanswered (those questions are not asked). A test case's "every
    question met" starts from these. Leaves of another path or indication get no answer.

    An if with other than two children (a draft being built) takes its first child as the
    condition and the rest as the then-subtree."""
    answers: dict[str, Answer] = {}
    _answer_to(root, Truth.MET, _On(path, indication), answers)
    return answers


def _answer_to(node: Node, goal: Truth, on: _On, answers: dict[str, Answer]) -> None:
    """Answer node's leaves so that node's truth is `goal` (met or not met)."""
    if not on.applies(node):
        return
    if node.kind == Kind.LEAF:
        answers[node.label] = Answer.MET if goal == Truth.MET else Answer.NOT_MET
        return
    children = [child for child in node.children if on.applies(child)]
    if node.kind == Kind.IF:
        if not children:
            return
        condition, then = children[0], children[1:]
        if goal == Truth.MET:
            _answer_to(condition, Truth.NOT_MET, on, answers)  # does not apply; then not asked
        else:
            _answer_to(condition, Truth.MET, on, answers)
            for child in then:
                _answer_to(child, Truth.NOT_MET, on, answers)
        return
    # A group is met when every child is, and not met when none is, whatever its kind.
    for child in children:
        _answer_to(child, goal, on, answers)


def parse_answers(answers: Mapping[str, Answer | str]) -> dict[str, Answer]:
    """Answer values from plain strings; an unknown value raises ValueError."""
    parsed: dict[str, Answer] = {}
    for label, value in answers.items():
        try:
            parsed[label] = Answer(value)
        except ValueError:
            choices = ", ".join(a.value for a in Answer)
            raise ValueError(
                f"Answer for {label!r} is {value!r}; expected one of {choices}."
            ) from None
    return parsed


def evaluate(
    root: Node,
    answers: Mapping[str, Answer | str],
    *,
    path: str | None = None,
    indication: str | None = None,
) -> Evaluation:
    """The tree's truth for a request on `path` for `indication`: nodes of another path or
    another indication are left out, as if they were not written."""
    if not is_on_path(root, path, indication):
        raise ValueError(
            f"The root {root.label!r} is on path {root.path!r} and indication "
            f"{root.indication!r}, not {path!r} and {indication!r}."
        )
    on = _On(path, indication)
    parsed = parse_answers(answers)
    results: dict[str, Truth] = {}
    deciding = _evaluate_node(root, parsed, on, results)
    leaves = asked_leaves(root, results, path=path, indication=indication)
    return Evaluation(
        result=results[root.label],
        path=path,
        indication=indication,
        deciding=deciding,
        node_results={
            node.label: results[node.label]
            for node, _ in iter_nodes(root, path=path, indication=indication)
        },
        failing=tuple(_failing(root, on, results)),
        unanswered=tuple(leaf.label for leaf in leaves if leaf.label not in parsed),
    )


@dataclass(frozen=True)
class _On:
    """The request an evaluation is for: its path and indication (None: any)."""

    path: str | None
    indication: str | None

    def applies(self, node: Node) -> bool:
        return is_on_path(node, self.path, self.indication)


_LEAF_TRUTH: dict[Answer | None, Truth] = {Answer.MET: Truth.MET, Answer.NOT_MET: Truth.NOT_MET}


def _evaluate_node(
    node: Node, answers: Mapping[str, Answer], on: _On, results: dict[str, Truth]
) -> tuple[str, ...]:
    """Record the truth of node and its subtree in results; return node's deciding leaves."""
    if node.kind == Kind.LEAF:
        # Not documented counts the same as unanswered: the criterion may yet be shown.
        results[node.label] = _LEAF_TRUTH.get(answers.get(node.label), Truth.UNKNOWN)
        return (node.label,)

    if node.kind == Kind.IF:
        return _evaluate_if(node, answers, on, results)
    children = [child for child in node.children if on.applies(child)]
    child_deciding = [_evaluate_node(child, answers, on, results) for child in children]
    truths = [results[child.label] for child in children]
    truth = _combine(node, truths)
    results[node.label] = truth
    chosen = _deciding_truths(node.kind, truth)
    return _concat(d for d, t in zip(child_deciding, truths, strict=True) if t in chosen)


def _evaluate_if(
    node: Node, answers: Mapping[str, Answer], on: _On, results: dict[str, Truth]
) -> tuple[str, ...]:
    condition, then = if_parts(node, on.path, on.indication)
    condition_deciding = _evaluate_node(condition, answers, on, results)
    then_deciding = _evaluate_node(then, answers, on, results)
    held, then_truth = results[condition.label], results[then.label]
    if held == Truth.MET:
        results[node.label] = then_truth
        return _concat((condition_deciding, then_deciding))
    if held == Truth.NOT_MET:
        # Does not apply: met, and no leaf of it is a ground an approval would cite.
        results[node.label] = Truth.MET
        return ()
    if then_truth == Truth.MET:
        results[node.label] = Truth.MET
        return then_deciding
    results[node.label] = Truth.UNKNOWN
    return condition_deciding  # the then-subtree is not asked until the condition is met


def _combine(node: Node, truths: list[Truth]) -> Truth:
    met = truths.count(Truth.MET)
    unknown = truths.count(Truth.UNKNOWN)
    need = _required(node, len(truths))
    if met >= need:
        return Truth.MET
    if met + unknown < need:
        return Truth.NOT_MET
    return Truth.UNKNOWN


def _required(node: Node, count: int) -> int:
    """How many met children make the group met: ALL is n-of-n, ANY is 1-of-n."""
    if node.kind == Kind.ALL:
        return count
    if node.kind == Kind.ANY:
        return 1
    if node.kind == Kind.K_OF_N:
        if node.k is None:
            raise ValueError(f"Node {node.label!r} is k_of_n but has no k.")
        return node.k
    raise ValueError(f"Node {node.label!r} has unknown kind {node.kind!r}.")


def _deciding_truths(kind: Kind, truth: Truth) -> frozenset[Truth]:
    """Which children's deciding leaves explain a group's truth."""
    if truth == Truth.MET:
        return frozenset({Truth.MET})
    if truth == Truth.NOT_MET:
        if kind == Kind.ALL:
            return frozenset({Truth.NOT_MET})
        # An any/k-of-n group fails only because of all its children together.
        return frozenset(Truth)
    if kind == Kind.K_OF_N:
        return frozenset({Truth.UNKNOWN, Truth.NOT_MET})
    return frozenset({Truth.UNKNOWN})


def _concat(parts: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in parts:
        seen.update(dict.fromkeys(part))
    return tuple(seen)


def _failing(node: Node, on: _On, results: Mapping[str, Truth]) -> Iterator[str]:
    """Leaves reached by descending only into nodes that are not met."""
    if results[node.label] == Truth.MET:
        return
    if node.kind == Kind.LEAF:
        yield node.label
        return
    if node.kind == Kind.IF:
        # Not met: either the condition holds and the then-subtree fails, or the condition is
        # open, and the then-subtree is not asked until it is settled.
        condition, then = if_parts(node, on.path, on.indication)
        held = results[condition.label] == Truth.MET
        yield from _failing(then if held else condition, on, results)
        return
    for child in node.children:
        if on.applies(child):
            yield from _failing(child, on, results)
