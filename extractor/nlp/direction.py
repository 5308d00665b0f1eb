"""Which way each marker moved, from the cue words around it in its clause.

Markers joined only by commas, "and", "or", "as well as" or bracketed notes ("TNF-a (n=4), MIG (n=6) and
IL-10") form one coordinated group and share a direction. A group takes, in this order:
  1. a cue inside its own span ("CD8+ TILs showed higher rates of PD-1"),
  2. a cue right before it, at most three words away with no punctuation between ("rising serum sodium"),
  3. the first cue after it, before the next marker or other entity ("IL-6 level was markedly elevated"),
  4. the nearest cue before it in the clause with no marker or entity in between,
  5. numbers: against a baseline ("from 12 to 850 pg/mL", "850 pg/mL (baseline 12)"), against the normal range
     stated beside the value ("48 mg/L (normal < 5)", "130 mmol/L (reference 135-145)"), as a multiple
     ("a 4-fold increase", "5 x ULN", "three times the upper limit of normal").
  6. a value with its unit and no word at all, against the usual reference interval (reference.py).
A "normalised" cue reads as the opposite of the marker's last direction in the text (findings.py resolves it).
Words that carry their own direction ("anemia", "thrombocytopenia") keep it, and so does a finding with a sign
written onto it ("MRD+", "CD19-"). A clause with no marker whose
subject points back ("; levels declined") directs the markers of the clause before it (direct_back). A level (IL-6, sodium) takes only
increased / decreased / normal; a finding (cytology, PD-L1) also positive / negative. A negation right before
the group or its cue ("no increase in", "without residual malignancy") makes a finding negative and drops a level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.lexicons import marker_kind
from extractor.nlp.mentions import Mention
from extractor.nlp.reference import NUMBER, direction_from_value, number_value

LEVEL_DIRECTIONS = ("increased", "decreased", "normal", "normalised", "undetectable")
FINDING_DIRECTIONS = ("increased", "decreased", "positive", "negative", "undetectable")
_DIRECTION_KINDS = ("increased", "decreased", "normal", "positive", "negative", "normalised", "undetectable")
# "undetectable", "cleared": a level fell to nothing, a finding is absent
_UNDETECTABLE = {"level": "decreased", "finding": "negative"}

_BRACKETED = re.compile(r"\([^()]*\)")
_COORDINATION = re.compile(r"[\s,/]*(?:(?:and/or|and|or|as well as|plus)\s+)?(?:(?:the|its|their|serum|plasma)\s+)*")
_NUMBER = f"({NUMBER})"
_FROM_TO = re.compile(rf"from\s+{_NUMBER}\D{{0,15}}?\s+to\s+{_NUMBER}")
_AGAINST_BASELINE = re.compile(
    rf"{_NUMBER}[^();.]{{0,25}}?\(\s*(?:baseline|from a baseline of|vs\.? baseline)[:\s]*{_NUMBER}")
# "48 mg/L (normal < 5 mg/L)", "(normal range, <5)", "(reference range 135-145 mmol/L)", "(ULN 40 U/L)"
_AGAINST_RANGE = re.compile(
    _NUMBER + r"[^();.\d]{0,20}?[(\[]\s*(?:normal|reference|ref\.?|nr|rr|uln|upper limit)[^()\[\]\d<>≤]{0,25}?"
    r"(?:(?P<below>[<≤]|up to|below)\s*" + _NUMBER.replace("(", "(?P<upper_only>", 1) + "|"
    + _NUMBER.replace("(", "(?P<lower>", 1) + r"\s*(?:-|to|–)\s*" + _NUMBER.replace("(", "(?P<upper>", 1) + "|"
    + _NUMBER.replace("(", "(?P<uln>", 1) + ")"
)
_FOLD = re.compile(_NUMBER + r"[\s-]*(?:fold|times)\b(?P<rest>[^.;]{0,40})")
_TIMES_ULN = re.compile(_NUMBER + r"\s*(?:x|×|times)\s*(?:the\s+)?(?:uln|upper limit)")
_LOWER_WORDS = re.compile(r"\s*(?:decrease|decline|reduction|lower|drop|fall|below)")


@dataclass(frozen=True)
class DirectedMarker:
    mention: Mention
    direction: str


def allowed_directions(marker: str) -> tuple[str, ...]:
    return FINDING_DIRECTIONS if marker_kind(marker) == "finding" else LEVEL_DIRECTIONS


def coordinated_groups(folded: str, markers: list[Mention]) -> list[list[Mention]]:
    groups: list[list[Mention]] = []
    for marker in markers:
        if groups and _COORDINATION.fullmatch(_BRACKETED.sub(" ", folded[groups[-1][-1].end : marker.start])):
            groups[-1].append(marker)
        else:
            groups.append([marker])
    return groups


_CLAUSE_JOIN = re.compile(r"[^,]*,\s*(?:and|but|while)\s")


def _negation_scoped(folded: str, groups: list[list[Mention]], negations: list[Mention]) -> list[list[Mention]]:
    """A negation covers a list up to a comma and a conjunction that starts a new statement: in "without
    residual tumour cells, and ferritin increased" ferritin is not negated ("no CRP, IL-6 or ferritin rise"
    still negates all three; a list that no negation opens stays whole: "IL-6, IL-10, and IFN-g rose")."""
    scoped = []
    for group in groups:
        if any(n.end <= group[0].start and _is_close(folded, n.end, group[0].start) for n in negations):
            cut = next(
                (i for i in range(1, len(group)) if _CLAUSE_JOIN.match(folded, group[i - 1].end, group[i].start)), None
            )
            if cut is not None:
                scoped += [group[:cut], group[cut:]]
                continue
        scoped.append(group)
    return scoped


def direct_markers(
    folded: str, clause_end: int, markers: list[Mention], others: list[Mention], cues: list[Mention], text: str = ""
) -> list[DirectedMarker]:
    """Directions for the markers of one clause. `others` are the clause's other entity mentions, `cues` its
    cue words (not those inside other entities); all lists in text order. `text` is the original text, for the
    units of a value (reference.py)."""
    directions = [cue for cue in cues if cue.detail in _DIRECTION_KINDS]
    negations = [cue for cue in cues if cue.detail == "negation"]
    barriers = sorted(markers + others, key=lambda m: m.start)
    result: list[DirectedMarker] = []
    used: set[Mention] = set()  # a cue gives its direction to one group ("X decreased while Y increased")
    for group in _negation_scoped(folded, coordinated_groups(folded, markers), negations):
        start, end = group[0].start, group[-1].end
        next_barrier = min((b.start for b in barriers if b.start >= end), default=clause_end)
        prev_barrier = _list_start(folded, barriers, start)
        # a cue joined to the group by a hyphen is part of its name ("CD19-negative", "MRD-positive")
        inside = [c for c in directions if start <= c.start and c.end <= end or c.start == end + 1 and folded[end] == "-"]
        close_before = [c for c in directions if prev_barrier <= c.end <= start and _is_close(folded, c.end, start)]
        after = [c for c in directions if end <= c.start < next_barrier]
        before = [c for c in directions if prev_barrier <= c.end <= start]
        candidates = [c for c in _by_priority(inside) + close_before[::-1] + after + before[::-1] if c not in used]
        negated = any(_is_close(folded, n.end, start) and n.end <= start for n in negations)
        for marker in group:
            direction, cue = _choose(marker, candidates, negations, folded, negated, end, next_barrier)
            if direction is None and cue is None and not negated and text:  # "ferritin 2,340 ng/mL": no word
                direction = direction_from_value(marker.name, text, marker.end, next_barrier)
            if direction:
                result.append(DirectedMarker(marker, direction))
            if cue is not None:
                used.add(cue)
    return result


def direct_back(folded: str, markers: list[Mention], cues: list[Mention]) -> list[tuple[DirectedMarker, Mention]]:
    """A clause with no marker of its own whose subject points back to the clause before it ("Serum pro-GRP was
    high; levels declined by day 13", "IL-6 and CRP rose; both normalised") gives its first direction cue after
    the pointing word to `markers`, the markers of that clause. Returns each directed marker with its cue."""
    anaphor = next((c for c in cues if c.detail == "anaphor"), None)
    if anaphor is None:
        return []
    negations = [c for c in cues if c.detail == "negation"]
    directions = [c for c in cues if c.detail in _DIRECTION_KINDS and c.start >= anaphor.end]
    result = []
    for marker in markers:
        cue = next((c for c in directions if c.detail in allowed_directions(marker.name)), None)
        if cue is None or any(n.end <= cue.start and _is_close(folded, n.end, cue.start, words=2) for n in negations):
            continue
        direction = cue.detail
        if direction == "undetectable":
            direction = _UNDETECTABLE["finding" if "positive" in allowed_directions(marker.name) else "level"]
        result.append((DirectedMarker(marker, direction), cue))
    return result


def _list_start(folded: str, barriers: list[Mention], start: int) -> int:
    """Where the cues before a group may begin: after the nearest entity before it, unless that entity is an item
    of the same list ("biopsy revealed CAR-T cells and necrotic tissue": "revealed" governs both)."""
    before = [b for b in barriers if b.end <= start]
    chain_start = start
    while before and before[-1].kind != "marker" and _COORDINATION.fullmatch(
            _BRACKETED.sub(" ", folded[before[-1].end : chain_start])):
        chain_start = before.pop().start
    return before[-1].end if before else 0


def _choose(marker: Mention, candidates: list[Mention], negations: list[Mention], folded: str, negated: bool,
            group_end: int, next_barrier: int) -> tuple[str | None, Mention | None]:
    """The marker's direction and the cue that gave it."""
    allowed = allowed_directions(marker.name)
    if marker.detail:  # the word carries its own direction ("anemia")
        return (None if negated else marker.detail), None
    sign = _SIGN_AFTER.match(folded, marker.end)
    if sign and "positive" in allowed:  # "MRD+", "CD19-": the sign written onto the finding
        return ("positive" if sign.group(1) == "+" else "negative"), None
    cue = None
    for candidate in candidates:  # (a loop, not next() over a generator: asked for every marker)
        if candidate.detail in allowed:
            cue = candidate
            break
    if cue is not None and any(n.end <= cue.start and _is_close(folded, n.end, cue.start, words=2) for n in negations):
        negated = True
    direction = cue.detail if cue is not None else None
    if direction in (None, "normal"):  # "48 mg/L (normal < 5)": the word names the range, the numbers decide
        direction = _from_numbers(folded[group_end:next_barrier]) or direction
    if "negative" in allowed and negated and direction in (None, "positive"):
        return "negative", cue
    if negated:
        return None, cue
    if direction == "undetectable":
        direction = _UNDETECTABLE["finding" if "positive" in allowed else "level"]
    return (direction if direction in allowed else None), cue


def _by_priority(cues: list[Mention]) -> list[Mention]:
    # Inside a compound span "showed higher rates of": an amount word says more than a presence word.
    if len(cues) < 2:  # (nearly always: no cue inside the group, or one)
        return cues
    return sorted(cues, key=lambda c: _DIRECTION_KINDS.index(c.detail))


_SIGN_AFTER = re.compile(r"([+-])(?=[\s,;:.)]|$)")
_AT_MOST_WORDS = {words: re.compile(rf"\s*(?:[a-z0-9+\-]+\s+){{0,{words}}}") for words in (2, 3)}


def _is_close(folded: str, left: int, right: int, words: int = 3) -> bool:
    """At most `words` words, and nothing else, between folded[left] and folded[right]."""
    return left >= right or _AT_MOST_WORDS[words].fullmatch(folded, left, right) is not None


def _from_numbers(after: str) -> str | None:
    """A direction stated by numbers in the text right after a marker group, else None."""
    for read in (_from_change, _from_range, _from_multiple):
        direction = read(after)
        if direction:
            return direction
    return None


def _from_change(after: str) -> str | None:
    match = _FROM_TO.search(after)
    if match:
        old, new = number_value(match.group(1)), number_value(match.group(2))
    else:
        match = _AGAINST_BASELINE.search(after)
        if not match:
            return None
        new, old = number_value(match.group(1)), number_value(match.group(2))
    if new == old:
        return None
    return "increased" if new > old else "decreased"


def _from_range(after: str) -> str | None:
    match = _AGAINST_RANGE.search(after)
    if not match:
        return None
    value = number_value(match.group(1))
    upper = match.group("upper_only") or match.group("upper") or match.group("uln")
    lower = match.group("lower")
    if upper is not None and value > number_value(upper):
        return "increased"
    if lower is not None and value < number_value(lower):
        return "decreased"
    return "normal" if lower is not None or match.group("below") else None


def _from_multiple(after: str) -> str | None:
    uln = _TIMES_ULN.search(after)
    if uln:
        return "increased" if number_value(uln.group(1)) > 1 else None
    fold = _FOLD.search(after)
    if fold and number_value(fold.group(1)) > 1:
        return "decreased" if _LOWER_WORDS.match(fold.group("rest")) else "increased"
    return None
