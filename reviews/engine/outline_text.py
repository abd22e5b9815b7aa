"""Criteria pasted as text (as they read in the policy) turned into a tree.

A policy's criteria arrive as a document: numbered and lettered lines, nested by their labels
("1.", "A.", "i.") or by indentation. An analyst pastes them and gets the tree to correct,
instead of entering each node. What this cannot read is said, never guessed silently:

- each line starts with its label (1, 1., 1), (1), A., i., 9.iv.b, ELIG-1 ...); a line without
  one continues the line before (a sentence wrapped in the PDF);
- nesting: by indentation when the lines are indented; otherwise by the labels themselves: a
  dotted label goes under the one it extends (9.iv.b under 9.iv), and bare labels go a
  level deeper at each change of style (1 → A → i → a), so "D." after "9." becomes "9.D";
- a group's line that reads as a heading (short, no colon or full stop) becomes its title;
- a node with lines under it is a group: "If …" makes a conditional, "at least N of" a
  k-of-n group, "one of", "any of", "either" or labels joined by "or" ("meets 1 or 2") an
  "any of", anything else "all of". The kinds are a proposal the analyst checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ROMAN = re.compile(r"^(?=[ivxl]+$)(x{0,3})(ix|iv|v?i{0,3})$")
_LABEL = re.compile(r"^\(?([A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*)[.):]?$")
_K_OF_N = re.compile(r"\bat least (\d+|one|two|three|four|five) of\b", re.IGNORECASE)
_ANY = re.compile(r"\b(one of|any of|either)\b", re.IGNORECASE)
_OR_LABELS = re.compile(r"\b\w{1,6}\s*(?:,\s*\w{1,6}\s*)*,?\s+or\s+\w{1,6}\s*:?\s*$", re.IGNORECASE)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass
class PastedNode:
    label: str
    text: str
    line: int
    kind: str = "leaf"
    k: int | None = None
    title: str = ""
    children: list[PastedNode] = field(default_factory=list)


class OutlineTextError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _style(label: str) -> int:
    """The nesting level a bare label's style stands for: 1, A, i, a (0: anything else)."""
    if label.isdigit():
        return 1
    if len(label) == 1 and label.isupper():
        return 2
    if ROMAN.match(label):
        return 3
    if len(label) == 1 and label.islower():
        return 4
    return 0


def _is_label(head: str, core: str) -> bool:
    """Whether a line's first word is a label rather than a wrapped sentence's next word:
    a dotted or dashed label (9.D.ii, ELIG-1), a number, a capitalised code (IND), or a
    single letter or roman numeral written as a label ("A.", "ii)", "(b)")."""
    if re.search(r"[.\-]", core) or core.isdigit():
        return True
    if core.isupper() and len(core) >= 2:
        return True
    marked = head.startswith("(") or head[-1] in ".):"
    return marked and (len(core) == 1 or bool(ROMAN.match(core.lower())))


def _split(line: str) -> tuple[str, str] | None:
    head, _, rest = line.strip().partition(" ")
    match = _LABEL.match(head)
    if not match or not rest.strip() or not _is_label(head, match.group(1)):
        return None
    return match.group(1), rest.strip()


def _kind(node: PastedNode) -> None:
    if not node.children:
        return
    text = node.text
    if _is_heading(text):
        node.title, node.text = text, ""
        node.kind = "all"
        return
    if text.lower().startswith("if "):
        node.kind = "if"
    elif match := _K_OF_N.search(text):
        word = match.group(1).lower()
        node.kind, node.k = "k_of_n", int(word) if word.isdigit() else _WORDS[word]
    elif _ANY.search(text) or _OR_LABELS.search(text):
        node.kind = "any"
    else:
        node.kind = "all"


def _is_heading(text: str) -> bool:
    """A group's line that is a heading ("Alpha disease", "Continuation of therapy"): short,
    without the colon or full stop of a sentence, not a condition. It becomes the title."""
    words = text.split()
    return (
        len(words) <= 6
        and text[-1] not in ".:;"
        and words[0].lower() not in ("if", "patient", "member", "the")
    )


def outline_parse(text: str) -> list[PastedNode]:
    """The top-level nodes of the pasted text; OutlineTextError lists what cannot be read."""
    lines: list[tuple[int, int, str, str]] = []  # (line number, indent, label, text)
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        expanded = raw.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        split = _split(raw)
        if split is None:
            if not lines:
                problems.append(
                    f"line {number}: starts without a label (e.g. 1., A., i., ELIG-1): "
                    f"{raw.strip()[:60]!r}"
                )
                continue
            n, i, label, before = lines[-1]
            lines[-1] = (n, i, label, f"{before} {raw.strip()}")
            continue
        lines.append((number, indent, *split))
    if problems:
        raise OutlineTextError(problems)
    if not lines:
        raise OutlineTextError(["Paste the criteria, one labelled line each."])
    indented = len({indent for _, indent, _, _ in lines}) > 1
    roots: list[PastedNode] = []
    stack: list[tuple[PastedNode, int]] = []  # (node, its depth key)
    for number, indent, label, body in lines:
        if indented:
            key = indent
            while stack and stack[-1][1] >= key:
                stack.pop()
            # A bare label under a parent takes the parent's label in front (D under 9: 9.D).
            bare = "." not in label and _style(label) > 1
            full = f"{stack[-1][0].label}.{label}" if stack and bare else label
        else:
            full, stack = _by_label(label, stack)
            key = 0
        node = PastedNode(label=full, text=body, line=number)
        (stack[-1][0].children if stack else roots).append(node)
        stack.append((node, key))
    seen: dict[str, int] = {}
    for node in _walk(roots):
        _kind(node)
        if node.label in seen:
            problems.append(
                f"line {node.line}: the label {node.label} is used again (first on line "
                f"{seen[node.label]})"
            )
        seen.setdefault(node.label, node.line)
    if problems:
        raise OutlineTextError(problems)
    return roots


def _by_label(label: str, stack: list[tuple[PastedNode, int]]):
    """Where a label goes when the text is not indented; returns (full label, new stack)."""
    # A dotted label goes under the nearest node it extends (9.iv.b under 9.iv).
    for i in range(len(stack) - 1, -1, -1):
        parent = stack[i][0]
        if label.startswith(parent.label + ".") or label.startswith(parent.label + "-"):
            return label, stack[: i + 1]
    if "." in label:
        return label, []
    # A bare label: a level deeper at each change of style, back up to its own style.
    style = _style(label)
    for i in range(len(stack) - 1, -1, -1):
        node = stack[i][0]
        if _style(node.label.rsplit(".", 1)[-1]) == style and style:
            parent_stack = stack[:i]
            prefix = parent_stack[-1][0].label + "." if parent_stack else ""
            return prefix + label, parent_stack
    if stack and style and style > _style(stack[-1][0].label.rsplit(".", 1)[-1]) > 0:
        return f"{stack[-1][0].label}.{label}", stack
    return label, []


def _walk(nodes: list[PastedNode]):
    for node in nodes:
        yield node
        yield from _walk(node.children)
