"""Evidence suggestions: sentences of a case's documents that likely bear on each criterion.

A suggestion points the reviewer at a sentence (document, page, quoted text); it never answers
a criterion. Matching is lexical and deliberately blind to meaning: "no relapses" and "two
relapses" both surface for a criterion about relapses, and the reviewer reads them.

Where a criterion's terms come from (policies are data, so nothing here names a drug):

1. its check: every item of a `list` param (name, generic, synonyms; "Brandone/Brandtwo" gives
   both), the `lab`, `event`, `codes` and `outcomes` params, and CHECK_CUES, the words a note
   uses for the facts a check reads ("date of birth", "years old" for age_at_least);
2. its title, text and note, cut into runs of words at stopwords and punctuation, so that a
   note's examples come out one by one ("magnetic resonance imaging (MRI)" gives "magnetic
   resonance imaging" and "MRI"; "[e.g., primary progressive disease]" gives "primary progressive
   disease"); each run also with generic words trimmed off its ends ("relapsing form" gives
   "relapsing"), and its distinctive single words ("progressive");
3. ABBREVIATIONS: a term that contains one spelling of a group brings in the others.

Matching is on words: case-insensitive, whole words, "®", "™", punctuation and hyphens all
separate words (so "relapsing remitting" matches "relapsing-remitting" and "NEDA-3" matches
"NEDA 3"), and a final "s" or "es" is optional ("lesion" matches "lesions"). A sentence scores
the sum of the weights of the distinct terms it matches, overlaps resolved leftmost-longest: a
phrase weighs more than a word, an acronym more than a word, a list item or explicit term more
than a derived one. Generic words ("patient", "multiple", "sclerosis") are never terms alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .checks import Lists, resolved_params
from .tree import Check, Node, applicable_leaves

MAX_PASSAGE_CHARS = 400


@dataclass(frozen=True)
class Page:
    document_id: int
    document_name: str
    number: int
    text: str


@dataclass(frozen=True)
class Passage:
    label: str  # criterion label
    document_id: int
    document_name: str
    page: int
    text: str  # the sentence, verbatim from the page with whitespace collapsed
    terms: tuple[str, ...]  # the words of `text` that matched, verbatim, for highlighting
    score: float


# Clinical abbreviations a record uses for what a policy spells out, and back. Each group is
# one thing: a term containing any spelling brings in the others. Keep it short and common;
# a policy's own words belong in the policy (its notes and lists).
ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("RRMS", "relapsing remitting"),
    ("SPMS", "secondary progressive"),
    ("PPMS", "primary progressive"),
    ("CIS", "clinically isolated syndrome"),
    # A policy may write "State"; the scale is "Status".
    ("EDSS", "Expanded Disability Status Scale", "Expanded Disability State Scale"),
    ("NEDA", "no evidence of disease activity"),
    ("MRI", "magnetic resonance imaging", "MR imaging"),
    ("T2", "T2-weighted", "FLAIR"),
    ("gadolinium", "Gd+", "contrast-enhancing"),
    ("DMT", "disease modifying"),
)

# Words a record uses for the facts a check reads; the reviewer finds the date or the switch.
CHECK_CUES: Mapping[str, tuple[str, ...]] = {
    "age_at_least": (
        "DOB",
        "D.O.B.",
        "date of birth",
        "born",
        "years old",
        "year-old",
        "y/o",
        "age",
    ),
    "months_on_drug_at_least": (
        "started",
        "since",
        "initiated",
        "initiation",
        "on therapy",
        "start date",
        "first dose",
    ),
    "age_under": ("DOB", "D.O.B.", "date of birth", "born", "years old", "year-old", "y/o", "age"),
    "bmi_at_least": ("BMI", "body mass index", "weight", "height", "kg/m2"),
    "percent_change": ("baseline", "reduction", "decrease", "change"),
    "tried_at_least": ("trial", "tried", "dose", "titrated"),
    "specialty_in": ("consultation", "consult", "referred", "referral"),
    "no_concurrent_agents": ("discontinue", "discontinued", "switch", "switched", "washout"),
}


def _words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words: they end a run of words and are never terms.
STOPWORDS = _words_of(
    """
    a about above after all also an and any are as at be been before being below both but by
    can could did do does during e.g each either etc for from had has have her his i.e if in
    include included includes including into is it its may more most must no nor not of on one
    only or other others our over per such than that the their them these they this those
    through to two under until upon via was were what when where which while who whom whose
    will with within without would
    approve assessed currently documented evaluated experienced following member members
    patient patients prescribed receiving requested use used uses using
    """
)

# Words too common in policies and records to point at anything on their own. They are kept
# inside phrases ("disease activity") and trimmed from a phrase's ends ("relapsing form").
GENERIC = _words_of(
    """
    active activity age agent agents approval approved beneficial beta capsule capsules clinical
    clinically concurrently condition consider considered coverage criteria criterion day days
    delayed disease diseases dose doses drug drugs duration evidence example examples extended
    form forms function history infusion injection injections intramuscular intravenous item
    items least level measure measures medication medications meet meets month months multiple
    note noted number objective oral physician physicians policy primary recommended release
    response scale score sclerosis secondary specializes state status subcutaneous tablet
    tablets test tests therapy treatment week weeks year years
    """
)

_TOKEN = re.compile(r"[^\W_]+")
_MAX_PHRASE_WORDS = 6
_BONUS_LISTED = 1.0  # list items and named params: the policy named them on purpose
_PART_PENALTY = -0.5  # a word taken out of a longer phrase


# ---- terms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    display: str
    spellings: tuple[tuple[str, ...], ...]  # token sequences, the first is the term's key
    weight: float

    @property
    def key(self) -> tuple[str, ...]:
        return self.spellings[0]


def criterion_terms(node: Node, lists: Lists) -> tuple[str, ...]:
    """The words and phrases that point at evidence for one criterion.

    In the order of their sources: explicit terms, the check, title/text/note, abbreviations.
    """
    return tuple(term.display for term in _terms(node, lists))


def _terms(node: Node, lists: Lists) -> list[_Term]:
    found: dict[tuple[str, ...], _Term] = {}

    def add(display: str, bonus: float = 0.0) -> None:
        term = _make_term(display, bonus)
        if term is None:
            return
        known = found.get(term.key)
        if known is None:
            found[term.key] = term
        elif term.weight > known.weight:
            found[term.key] = _Term(known.display, known.spellings, term.weight)

    if node.check is not None:
        for display, bonus in _check_terms(node.check, lists):
            add(display, bonus)
    for text in (node.title, node.text, node.note):
        for display, bonus in _phrases(text):
            add(display, bonus)
    for term in list(found.values()):
        for display in _abbreviations_of(term.key):
            add(display)
    return list(found.values())


def _make_term(display: str, bonus: float) -> _Term | None:
    display = " ".join(_MARKS.sub(" ", display).split()).strip(" .,;:")
    key = tuple(_TOKEN.findall(display.casefold()))
    if not key:
        return None
    spellings = [key]
    # "NEDA-3" is also written "NEDA3": the hyphen joins rather than separates.
    joined = tuple(_TOKEN.findall(re.sub(r"(?<=\w)-(?=\w)", "", display).casefold()))
    if joined != key:
        spellings.append(joined)
    if len(key) == 1:
        base = 1.5 if _is_acronym(display) else 1.0
    else:
        base = min(1.0 + 0.75 * (len(key) - 1), 3.0)
    return _Term(display, tuple(spellings), base + bonus)


_MARKS = re.compile("[®™©]")


def _check_terms(check: Check, lists: Lists) -> Iterator[tuple[str, float]]:
    try:
        params: Mapping[str, Any] = resolved_params(check, lists)
    except ValueError:
        # A draft with a broken check still gets the suggestions its text gives.
        params = check.params
    list_key = params.get("list")
    if isinstance(list_key, str) and list_key in lists:
        for item in lists[list_key].get("items") or ():
            for value in (item.get("name"), item.get("generic"), *(item.get("synonyms") or ())):
                for name in str(value or "").split("/"):
                    yield name, _BONUS_LISTED
    for key in ("lab", "event"):
        if isinstance(params.get(key), str) and params[key].strip():
            yield params[key], _BONUS_LISTED
    for key in ("codes", "outcomes"):
        for value in params.get(key) or ():
            yield str(value), 0.0
    if check.name == "specialty_in" and not params.get("allow_consultation"):
        return
    for cue in CHECK_CUES.get(check.name, ()):
        yield cue, 0.0


# A run of words ends at punctuation, at a sentence's period, and at a dash between spaces.
_PHRASE_BREAK = re.compile(r"[,;:()\[\]{}/!?\"“”<>=≥≤±…]|\.(?=\s|$)|\s[-–—]\s|[–—]")


def _phrases(text: str) -> Iterator[tuple[str, float]]:
    """Runs of words between stopwords and punctuation, trimmed variants, distinctive words.

    A word taken out of a longer run weighs less than the run: "syndrome" alone says less
    than "clinically isolated syndrome".
    """
    for segment in _PHRASE_BREAK.split(_MARKS.sub(" ", text)):
        run: list[str] = []
        for raw in [*segment.split(), ""]:
            word = raw.strip(".'*•")
            if word and word.casefold() not in STOPWORDS and _TOKEN.search(word):
                run.append(word)
                continue
            if run:
                yield from _run_terms(run)
                run = []


def _run_terms(run: list[str]) -> Iterator[tuple[str, float]]:
    content = [i for i, word in enumerate(run) if _has_content(word)]
    if not content:
        return
    first, last = content[0], content[-1]
    # The run as written ("six-minute walk test"), cut to its content words at either end,
    # and every shorter phrase between two content words ("T2 lesions" of "enlarging T2
    # lesions").
    spans = [(0, len(run)), (first, len(run)), (0, last + 1)]
    spans += [(a, b + 1) for i, a in enumerate(content) for b in content[i:]]
    for start, end in dict.fromkeys(spans):
        if end - start <= _MAX_PHRASE_WORDS and (end - start > 1 or start == first == last):
            yield " ".join(run[start:end]), 0.0
    if len(run) == 1 and len(_TOKEN.findall(run[0])) == 1:
        return
    for word in run:
        parts = _TOKEN.findall(word)
        distinctive = [part for part in parts if _is_content(part)]
        if len(parts) > 1 and len(distinctive) > 1:
            yield word, _PART_PENALTY  # "relapsing-remitting" as well as its halves
        for part in distinctive:
            yield part, _PART_PENALTY


def _has_content(word: str) -> bool:
    return any(_is_content(part) for part in _TOKEN.findall(word))


def _is_content(part: str) -> bool:
    """A word that can point at evidence on its own: not generic, not a bare number, not a
    two-letter acronym."""
    folded = part.casefold()
    if folded in STOPWORDS or folded in GENERIC or folded.isdigit():
        return False
    if any(c.isdigit() for c in part):
        return part[0].isalpha()  # "T2", not "1a" (of "beta-1a")
    if _is_acronym(part):
        return True
    return len(folded) >= 4


def _is_acronym(word: str) -> bool:
    # Two-letter acronyms ("IV", "PO") are too common in records to point at anything alone.
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


# Each spelling as " word word ": a phrase contains another when its padded words do.
_ABBREVIATION_WORDS = tuple(
    tuple(f" {' '.join(_TOKEN.findall(spelling.casefold()))} " for spelling in group)
    for group in ABBREVIATIONS
)


def _abbreviations_of(key: tuple[str, ...]) -> Iterator[str]:
    words = f" {' '.join(key)} "
    for group, spellings in zip(ABBREVIATIONS, _ABBREVIATION_WORDS, strict=True):
        if any(spelling in words for spelling in spellings):
            yield from group


# ---- matching ------------------------------------------------------------------------------


def _forms(token: str) -> frozenset[str]:
    """The spellings a word of a term accepts: a final "s" or "es" is optional."""
    if not token.isalpha():
        return frozenset({token})
    forms = {token, token + "s", token + "es"}
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        forms.add(token[:-1])
        if token.endswith("es"):
            forms.add(token[:-2])
    return frozenset(forms)


_Match = tuple[tuple[str, ...], int, int]  # term key, first word, word after the last


class _Matcher:
    """Every criterion's terms in one index by first word, so each page is read once."""

    def __init__(self, terms_by_label: Mapping[str, Sequence[_Term]]) -> None:
        self.weights: dict[str, dict[tuple[str, ...], float]] = {}
        owners: dict[tuple[str, ...], list[str]] = {}
        index: dict[str, list[tuple[tuple[frozenset[str], ...], tuple[str, ...]]]] = {}
        seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
        for label, terms in terms_by_label.items():
            self.weights[label] = {term.key: term.weight for term in terms}
            for term in terms:
                owners.setdefault(term.key, []).append(label)
                for spelling in term.spellings:
                    if (term.key, spelling) in seen:
                        continue
                    seen.add((term.key, spelling))
                    forms = tuple(_forms(token) for token in spelling)
                    for first in forms[0]:
                        index.setdefault(first, []).append((forms, term.key))
        self.owners = {key: tuple(labels) for key, labels in owners.items()}
        self.index = index
        self.first_words = frozenset(index)

    def find(self, words: Sequence[str]) -> list[_Match]:
        """Every term in the words (casefolded), overlapping ones included."""
        found = []
        count, index = len(words), self.index
        for i in [i for i, word in enumerate(words) if word in index]:
            for forms, key in index[words[i]]:
                if len(forms) == 1:
                    found.append((key, i, i + 1))
                elif (end := i + len(forms)) <= count and all(
                    words[i + k] in forms[k] for k in range(1, len(forms))
                ):
                    found.append((key, i, end))
        return found

    def score(self, label: str, matches: list[_Match]) -> tuple[float, list[_Match]]:
        """The criterion's score and its matches, overlaps resolved leftmost-longest."""
        if len(matches) == 1:
            return self.weights[label][matches[0][0]], matches
        matches.sort(key=lambda m: (m[1], m[1] - m[2], m[0]))
        kept: list[_Match] = []
        for match in matches:
            if not kept or match[1] >= kept[-1][2]:
                kept.append(match)
        weights = self.weights[label]
        return round(sum(weights[key] for key in sorted({m[0] for m in kept})), 2), kept


def suggest_evidence(
    root: Node,
    pages: Sequence[Page],
    lists: Lists,
    *,
    path: str | None = None,
    indication: str | None = None,
    per_criterion: int = 3,
) -> dict[str, list[Passage]]:
    """For each applicable leaf, its best passages, best first; leaves with none are absent.

    Order is deterministic: score (highest first), then document id, page, place on the page.
    A sentence repeated on several pages (a letterhead, a copied note) is suggested once.
    """
    if per_criterion < 1:
        raise ValueError(f"per_criterion must be at least 1, not {per_criterion}.")
    leaves = applicable_leaves(root, path=path, indication=indication)
    matcher = _Matcher({leaf.label: _terms(leaf, lists) for leaf in leaves})
    # Per criterion: (-score, document id, page, page's place in the input, sentence's place).
    ranked: dict[str, list[tuple[float, int, int, int, int]]] = {leaf.label: [] for leaf in leaves}
    spans_by_page: dict[int, list[tuple[int, int]]] = {}
    for page_order, page in enumerate(pages):
        spans, sentence_scores = _scan(matcher, page.text or "")
        spans_by_page[page_order] = spans
        for (label, position), score in sentence_scores.items():
            ranked[label].append((-score, page.document_id, page.number, page_order, position))

    suggestions: dict[str, list[Passage]] = {}
    for label, candidates in ranked.items():
        candidates.sort()
        best: list[Passage] = []
        seen: set[str] = set()
        for _, _, _, page_order, position in candidates:
            start, end = spans_by_page[page_order][position]
            sentence = _quote(pages[page_order].text[start:end])
            if (same := sentence.casefold()) in seen:
                continue
            seen.add(same)
            best.append(_passage(matcher, label, pages[page_order], sentence))
            if len(best) == per_criterion:
                break
        if best:
            suggestions[label] = best
    return suggestions


def _scan(
    matcher: _Matcher, text: str
) -> tuple[list[tuple[int, int]], dict[tuple[str, int], float]]:
    """The page's sentence spans, and the score of each (criterion, sentence) with a match.

    Each sentence is cut into words once, for every criterion at once.
    """
    spans = _sentence_spans(text)
    folded = text.casefold()
    same_offsets = len(folded) == len(text)  # "ß" folds to "ss", and offsets move
    scores: dict[tuple[str, int], float] = {}
    for position, (start, end) in enumerate(spans):
        if same_offsets:
            words = _TOKEN.findall(folded, start, end)
        else:
            words = [word.casefold() for word in _TOKEN.findall(text, start, end)]
        if matcher.first_words.isdisjoint(words):
            continue
        by_label: dict[str, list[_Match]] = {}
        for match in matcher.find(words):
            for label in matcher.owners[match[0]]:
                by_label.setdefault(label, []).append(match)
        for label, found in by_label.items():
            scores[label, position] = matcher.score(label, found)[0]
    return spans, scores


def _passage(matcher: _Matcher, label: str, page: Page, sentence: str) -> Passage:
    folded = sentence.casefold()
    # Word positions in the sentence as written; the casefolded copy has the same ones when
    # folding kept its length, which is nearly always.
    words = list(_TOKEN.finditer(folded if len(folded) == len(sentence) else sentence))
    found = [
        match
        for match in matcher.find([word.group().casefold() for word in words])
        if label in matcher.owners[match[0]]
    ]
    score, kept = matcher.score(label, found)
    spans = [(words[start].start(), words[end - 1].end()) for _, start, end in kept]
    text, terms = _excerpt(sentence, spans)
    return Passage(
        label=label,
        document_id=page.document_id,
        document_name=page.document_name,
        page=page.number,
        text=text,
        terms=terms,
        score=score,
    )


def _excerpt(sentence: str, spans: Sequence[tuple[int, int]]) -> tuple[str, tuple[str, ...]]:
    """The sentence, or a window of it around its first match when it is too long to quote."""
    start, end = 0, len(sentence)
    if end > MAX_PASSAGE_CHARS:
        start = max(0, min(spans[0][0] - 80, end - MAX_PASSAGE_CHARS + 2))
        if start > 0:
            space = sentence.find(" ", start, spans[0][0])
            start = space + 1 if space != -1 else start
        end = min(end, start + MAX_PASSAGE_CHARS - 2)
        if end < len(sentence):
            space = sentence.rfind(" ", spans[0][1], end)
            end = space if space != -1 else end
    terms: dict[str, str] = {}
    for a, b in spans:
        if start <= a and b <= end:
            terms.setdefault(sentence[a:b].casefold(), sentence[a:b])
    text = sentence[start:end].strip()
    if start > 0:
        text = "…" + text
    if end < len(sentence):
        text += "…"
    return text, tuple(terms.values())


# ---- sentences -----------------------------------------------------------------------------

# Words that end with a period without ending the sentence ("Dr. Lee", "240 mg. daily").
_ABBREVIATED = _words_of(
    """
    Dr Drs Mr Mrs Ms Mx Prof St Jr Sr Inc Ltd Co No Nos Fig Vol Dept Hx Dx Rx Tx Sx Pt
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    """
)
_ABBREVIATED_ANY_CASE = _words_of(
    "e.g i.e vs etc approx cf al mg mcg ml cc kg a.m p.m b.i.d t.i.d q.i.d q.d p.o "
    "wk wks yr yrs hr hrs min sec"
)


def _not_after_abbreviation() -> str:
    """Lookbehinds refusing a period that ends an abbreviation or an initial ("J. Lee")."""
    # A lookbehind has a fixed width: one per length, each an alternation of that length.
    by_length: dict[int, list[str]] = {1: [r"[^\W\d_]"]}
    for word in sorted(_ABBREVIATED):
        by_length.setdefault(len(word), []).append(re.escape(word))
    for word in sorted(_ABBREVIATED_ANY_CASE):
        by_length.setdefault(len(word), []).append(f"(?i:{re.escape(word)})")
    return "".join(
        rf"(?<!(?<![^\W\d_])(?:{'|'.join(words)})\.)" for _, words in sorted(by_length.items())
    )


_BULLET = r"(?:[-•*▪◦·‣]|\(?\d{1,2}[.)]|\(?[A-Za-z][.)])\s"
# Where a sentence ends (the next one starts at the end of a match). Separate patterns: one
# alternation of them all is twice as slow, trying every branch at every character.
_SENTENCE_ENDS = (
    # a full stop before a capital or a digit, not after an abbreviation;
    re.compile(
        rf"[.!?](?=[.!?'\")\]]*\s+['\"(\[]?[A-Z0-9]){_not_after_abbreviation()}"
        rf"[.!?]*['\")\]]*\s+"
    ),
    re.compile(r"\n[ \t\r]*\n\s*"),  # a blank line;
    re.compile(r":[ \t\r]*\n\s*(?=[A-Z0-9])"),  # a heading's colon at a line's end;
    re.compile(rf"\n[ \t]*(?={_BULLET})"),  # a bullet or a numbered item.
)
# PDF lines wrap near the page width: a line of at most 50 characters followed by a capital
# is a heading or a field ("EDSS 2.0, stable"), not a wrapped sentence, unless it ends with
# "," "&" or "-". Group 1 is the short line (possessive: a long line fails at once).
_SHORT_LINE = re.compile(r"\n(?=([^\n]{0,50}+)\n[ \t]*[A-Z0-9])")
# A word hyphenated across a line break ("relapsing-" / "remitting") is one word.
_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])")


def sentences(text: str) -> list[str]:
    """The page's sentences, whitespace collapsed, in order.

    PDF extraction breaks lines anywhere: a line break ends a sentence only after a full stop,
    a heading's colon or a short line followed by a capital, or before a bullet; a word
    hyphenated across lines is rejoined.
    """
    return [quote for start, end in _sentence_spans(text) if (quote := _quote(text[start:end]))]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    ends = {m.end() for pattern in _SENTENCE_ENDS for m in pattern.finditer(text)}
    # "\n" + text so that the first line can be short too; in text's own offsets, the end of
    # group 1 is then where the line after the short one starts.
    for m in _SHORT_LINE.finditer("\n" + text):
        line = m.group(1).rstrip()
        if line and line[-1] not in ",&-":
            ends.add(m.end(1))
    cuts = [0, *sorted(ends - {0, len(text)}), len(text)]
    return list(pairwise(cuts))


def _quote(raw: str) -> str:
    return " ".join(_HYPHEN_BREAK.sub("-", raw).split())
