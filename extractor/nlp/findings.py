"""From one document to CaseFindings, over the sentences of sentences.py that are about the patient (not
background). Rules, in the order they run:
  drugs       every lexicon drug named in a case sentence, in order of first mention, and an engager named only
              by its targets ("a CD20xCD3 bispecific antibody", unnamed.py)
  review      a review that reports no patient of its own has no flare and no markers
  flare       a flare word (pseudoprogression, TFR...) in a case sentence, not negated, refuted, weighed against
              another diagnosis, or only suspected where the text states true progression; local CRS only at a
              tumour site
  onset_day   the day of the first dated flare mention or tumour-site manifestation outside a resolution clause
              (symptoms such as bone pain only when nothing else is dated); each manifestation keeps its own day
  resolution  the first dated resolution cue (regression, resolved...) in a clause about a lesion or the flare
  markers     see direction.py; each takes the day of its clause, else of its sentence (not a day in brackets
              that belong to another mention, nor one stated after another marker's statement), else (a level in
              a sentence that states no time) the one day of the lab report right before it; a value from before
              the therapy is left out; stated in several sentences, the abstract or body sentence is the
              evidence before a title, caption or keyword list
  disease     the disease named where the patient is introduced ("a 57-year-old woman with SCLC"), else the
              most mentioned one
  n_patients  the largest count of patients the text states about its own patients (cohort.py)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from extractor.lexicons import marker_hpo_id, marker_kind, resolve_drug
from extractor.lexicons.folding import fold_case, fold_marks
from extractor.models import CaseFindings, Document, Drug, Flare, MarkerFinding
from extractor.nlp.cohort import NOUNS, patients_counted
from extractor.nlp.direction import coordinated_groups, direct_back, direct_markers
from extractor.nlp.mentions import Mention
from extractor.nlp.sentences import WORDS as SENTENCE_WORDS
from extractor.nlp.sentences import Clause, Sentence, read_sentences
from extractor.nlp.substrings import Occurrences, occurrences
from extractor.nlp.timing import DayMention, nearest_day
from extractor.nlp.unnamed import WORDS as ENGAGER_WORDS
from extractor.nlp.unnamed import unnamed_engager_targets

# The plain strings that rules start from (reference-list headings, affixes of laboratory words, patient nouns,
# engager words): found in one pass over each document (substrings.py) rather than one search each.
_WORDS = (*SENTENCE_WORDS, *NOUNS, *ENGAGER_WORDS)


def findings_from(document: Document) -> CaseFindings:
    text = document.text
    marks = fold_marks(text)  # the short forms are looked up case-sensitively in it, the lexicon in folded
    folded = fold_case(marks)
    found = occurrences(folded, _WORDS)
    sentences = read_sentences(document, folded, marks, found)
    case = [s for s in sentences if s.names_anything and not s.background]  # what names nothing adds nothing...
    drugs = _drugs(case, sentences, folded, found)
    reports_a_patient = not _reviews_only(sentences)
    flare = _flare(case, text, drugs) if reports_a_patient else Flare()
    return CaseFindings(
        id=document.id,
        pmid=document.pmid,
        pmcid=document.pmcid,
        doi=document.doi,
        title=document.title,
        source=document.source,
        drugs=drugs,
        disease=_disease(case),
        flare=flare,
        markers=_markers(case, sentences, text, folded) if reports_a_patient else [],
        # ... but a resolution: "By day 13 the lesions had regressed"
        resolution_day=_resolution_day(sentences, flare) if flare.reported else None,
        n_patients=patients_counted(
            folded, [s.span for s in sentences], lambda index: sentences[index].background, found),
    )


def _reviews_only(sentences: list[Sentence]) -> bool:
    """A review of the literature that reports no patient of its own ("This article reviews ..." and no "a
    57-year-old", "we report", "the patient"): its flare words and markers are about other people's patients."""
    return any(s.has_cue("review") for s in sentences) and not any(
        s.has_cue("case") or s.has_cue("own case") for s in sentences)


def _inside(cue: Mention, mention: Mention) -> bool:
    return mention.start <= cue.start and cue.end <= mention.end


def _direction_cues(clause: Clause) -> list[Mention]:
    # Cue words inside a marker span stay: they give that marker its direction ("CD8+ TILs showed higher ... PD-1");
    # inside other entities they belong to that entity ("increase in lymph node size").
    others = [e for e in clause.entities if e.kind != "marker"]
    if not others:  # (most clauses with a marker name nothing else)
        return clause.cues
    return [c for c in clause.cues if not any(_inside(c, e) for e in others)]


def _resolving(mention: Mention, clause: Clause) -> bool:
    """In a clause that reports regression, unless the mention itself states growth ("metastases enlarged")."""
    if not clause.has_cue("resolution"):
        return False
    return not any(c.detail == "growth" and _inside(c, mention) for c in clause.cues)


def _negated(mention: Mention, clause: Clause, text: str) -> bool:
    """A negation cue ends at most 30 characters before the mention, with no punctuation between
    ("without pleural effusion", "no CRS", "did not develop pleural effusion")."""
    return any(
        cue.detail == "negation" and cue.end <= mention.start and mention.start - cue.end <= 30
        and not any(mark in text[cue.end : mention.start] for mark in ",;:()")
        for cue in clause.cues
    )


def _drugs(case: list[Sentence], sentences: list[Sentence], folded: str, found: Occurrences) -> list[Drug]:
    names = dict.fromkeys(m.name for s in case for m in s.entities if m.kind == "drug")
    drugs = []
    for name in names:
        entry = resolve_drug(name)
        drugs.append(Drug(name=name, role=entry.role if entry else "other", targets=list(entry.targets) if entry else []))
    named_targets = {d.targets[0] for d in drugs if d.role == "engager" and d.targets}
    for target in unnamed_engager_targets(sentences, folded, found):
        if target not in named_targets:  # "a CD20xCD3 bispecific antibody" that the text names nowhere else
            drugs.append(Drug(name=f"{target.lower()}xcd3 bispecific antibody", role="engager", targets=[target, "CD3"]))
            named_targets.add(target)
    return drugs


def _flare_mentions(case: list[Sentence], text: str) -> list[tuple[Sentence, Clause, Mention]]:
    """Event and manifestation mentions that are not negated, in text order. A flare word only suspected
    ("pseudoprogression was initially suspected") does not count when the text states true progression."""
    found = []
    proved_progression = None  # asked only where a flare word is hedged
    for sentence in case:
        for clause in sentence.clauses:
            if clause.has_cue("differential"):  # "to re-evaluate pseudoprogression versus progression"
                continue
            if clause.has_cue("hedge"):
                if proved_progression is None:
                    proved_progression = any(_states_true_progression(c, text) for s in case for c in s.clauses)
                if proved_progression:
                    continue
            for mention in clause.entities:
                if mention.kind in ("event", "manifestation") and not _negated(mention, clause, text) \
                        and not _refuted(mention, clause):
                    found.append((sentence, clause, mention))
    return found


_NOT_BEFORE = ("rather than", "instead of", "not", "than", "from", "versus", "vs", "or")


def _states_true_progression(clause: Clause, text: str) -> bool:
    """ "a biopsy confirmed true progression", not "pseudoprogression rather than true progression"."""
    for cue in clause.cues:
        if cue.detail == "true progression" and not clause.has_cue("differential"):
            before = text[max(clause.span.start, cue.start - 14) : cue.start].lower().split()
            if not (before and (before[-1] in _NOT_BEFORE or " ".join(before[-2:]) in _NOT_BEFORE)):
                return True
    return False


def _refuted(mention: Mention, clause: Clause) -> bool:
    """ "pseudoprogression was ruled out": the flare word is excluded by what follows it."""
    return any(c.detail == "refuted" and 0 <= c.start - mention.end <= 12 for c in clause.cues)


def _day_near(mention: Mention, clause: Clause, sentence: Sentence, others: Sequence[Mention] = ()) -> int | None:
    """The day of the mention's clause, else of its sentence, nearest the mention (_days_for: `others` are the
    sentence's marker mentions of other coordinated groups)."""
    if not sentence.days:  # most sentences state no time
        return None
    near = nearest_day(_days_for(mention, sentence.clause_days(clause), sentence, others), mention.start, mention.end) \
        or nearest_day(_days_for(mention, sentence.days, sentence, others), mention.start, mention.end)
    return near.day if near else None


def _days_for(mention: Mention, days: list[DayMention], sentence: Sentence, others: Sequence[Mention]) -> list[DayMention]:
    """The days that can belong to the mention: a day in brackets belongs only to what the brackets hold or
    follow ("hyperferritinemia (peak 50,000 ng/mL on day +23), severe cytopenias": day 23 is the ferritin's),
    and a day stated after another marker group that follows the mention is that group's ("NSE fell, and pro-GRP
    normalised by day 21"); a day before them all ("On day 7, X and Y") is everyone's."""
    folded = sentence.folded
    kept = []
    for day in days:
        if any(mention.end <= other.start and other.end <= day.start for other in others):
            continue  # a day after the statement of another group is its day; a day before a list is everyone's
        opening = folded.rfind("(", sentence.span.start, day.start)
        if opening < 0 or folded.find(")", opening, day.start) >= 0:  # not inside brackets
            kept.append(day)
        elif opening <= mention.start < day.start or 0 <= opening - mention.end <= 2:
            kept.append(day)
    return kept


def _marker_groups(sentence: Sentence, folded: str) -> dict[Mention, tuple[int, int]]:
    """Each marker mention of the sentence -> its coordinated group (clause start, group number)."""
    group_of: dict[Mention, tuple[int, int]] = {}
    for clause in sentence.clauses:
        markers = [m for m in clause.entities if m.kind == "marker"]
        for number, group in enumerate(coordinated_groups(folded, markers) if markers else []):
            for mention in group:
                group_of[mention] = (clause.span.start, number)
    return group_of


def _clause_day(mention: Mention, clause: Clause, sentence: Sentence) -> int | None:
    if not sentence.days:
        return None
    near = nearest_day(sentence.clause_days(clause), mention.start, mention.end)
    return near.day if near else None


def _flare(case: list[Sentence], text: str, drugs: list[Drug]) -> Flare:
    mentions = _flare_mentions(case, text)
    events = [(s, c, m) for s, c, m in mentions if m.kind == "event" and (m.detail != "local crs" or _at_tumour_site(s))]
    if not events:
        return Flare()
    onset = None
    for sites in (("tumor",), ("symptom",)):
        dated = (  # in document order, read only as far as the first dated one
            _day_near(m, c, s)
            for s, c, m in mentions
            if (m.kind == "event" or m.detail in sites) and not _resolving(m, c)
        )
        onset = next((day for day in dated if day is not None), None)
        if onset is not None:
            break
    manifestation_days: dict[str, int | None] = {}
    for sentence, clause, mention in mentions:
        if mention.kind == "manifestation" and not _resolving(mention, clause):
            day = _day_near(mention, clause, sentence)  # "Within hours, she developed bone pain": day 0
            if manifestation_days.get(mention.name) is None:
                manifestation_days[mention.name] = day
    return Flare(
        reported=True,
        onset_day=onset,
        manifestations=list(manifestation_days),
        evidence=_flare_evidence(mentions, text),
        drug=_flare_drug(events, drugs),
        manifestation_days=manifestation_days,
    )


def _at_tumour_site(sentence: Sentence) -> bool:
    return any(m.kind == "manifestation" and m.detail == "tumor" for m in sentence.entities)


def _flare_evidence(mentions: list[tuple[Sentence, Clause, Mention]], text: str) -> list[str]:
    """The sentences that report the flare, from the best witnesses there are: the abstract and body before the
    title, figure captions and tables, and keyword lists (Sentence.evidence_rank)."""
    best = min(sentence.evidence_rank for sentence, _, _ in mentions)
    return list(dict.fromkeys(text[s.span.start : s.span.end] for s, _, _ in mentions if s.evidence_rank == best))


_SUPPORTIVE_ROLES = ("steroid", "other")  # given for the flare or alongside, not the therapy that caused it


def _flare_drug(events: list[tuple[Sentence, Clause, Mention]], drugs: list[Drug]) -> str | None:
    """The anticancer drug named with the first flare word that names one, else the engager, else the first
    anticancer drug received."""
    anticancer = {d.name for d in drugs if d.role not in _SUPPORTIVE_ROLES}
    for sentence, _, _ in events:
        named = [m.name for m in sentence.entities if m.kind == "drug" and m.name in anticancer]
        if named:
            return named[0]
    engagers = [d.name for d in drugs if d.role == "engager"]
    return (engagers or [d.name for d in drugs if d.name in anticancer] or [None])[0]


def _resolution_day(sentences: list[Sentence], flare: Flare) -> int | None:
    for sentence in sentences:
        if not sentence.has_cue("resolution") or sentence.background:
            continue
        for clause in sentence.clauses:
            about_flare = clause.has_cue("lesion") or any(m.kind in ("event", "manifestation") for m in clause.entities)
            if not (clause.has_cue("resolution") and about_flare):
                continue
            cue = next(c for c in clause.cues if c.detail == "resolution")
            day = _day_near(cue, clause, sentence)
            if day is not None and (flare.onset_day is None or day >= flare.onset_day):
                return day
    return None


def _disease(case: list[Sentence]) -> str | None:
    for sentence in case:
        # "a 57-year-old woman with SCLC", "the patient had ..."; a title's "a case report" introduces no one
        if sentence.has_cue("patient") or sentence.has_cue("own case") or (
                sentence.has_cue("case") and sentence.passage.kind != "title"):
            named = [m.name for m in sentence.entities if m.kind == "disease"]
            if named:
                return named[0]
    counts = Counter(m.name for s in case for m in s.entities if m.kind == "disease")
    return counts.most_common(1)[0][0] if counts else None


def _pre_treatment(clause: Clause, day: int | None) -> bool:
    """A value from before the therapy: in a clause about the time before it ("at diagnosis", "during
    lymphodepletion") that compares with nothing; a day after the first dose says otherwise."""
    if day is not None and day >= 0:
        return False
    return clause.has_cue("baseline") and not clause.has_cue("comparison")


def _markers(case: list[Sentence], sentences: list[Sentence], text: str, folded: str) -> list[MarkerFinding]:
    """One finding per (marker, direction) measured after the therapy began (_pre_treatment): from the best
    witness sentence (Sentence.evidence_rank), a dated one before an undated one, else the first."""
    before = {id(s): p for p, s in zip(sentences, sentences[1:]) if p.passage is s.passage}
    found: dict[tuple[str, str], tuple[tuple[int, bool, int], MarkerFinding]] = {}
    last_direction: dict[str, str] = {}  # marker -> its last direction in the text, for "normalised"
    for sentence in case:
        previous_markers: list[Mention] = []
        group_of: dict[Mention, tuple[int, int]] | None = None  # made when a marker of the sentence asks for a day
        for clause in sentence.clauses:
            markers = [m for m in clause.entities if m.kind == "marker"]
            if markers:
                others = [m for m in clause.entities if m.kind != "marker"]
                directed_here = [
                    (directed, directed.mention, _day_near)
                    for directed in direct_markers(folded, clause.span.end, markers, others, _direction_cues(clause), text)
                ]
                previous_markers = markers
            elif previous_markers:  # "...; levels declined by day 13": the day of this clause only
                pointed_back = direct_back(folded, previous_markers, _direction_cues(clause))
                directed_here = [(directed, cue, _clause_day) for directed, cue in pointed_back]
            else:
                continue
            for directed, dated, day_of in directed_here:  # dated: what the day is looked for next to
                mention = directed.mention
                direction = directed.direction
                if direction == "normalised":  # back to normal from the last abnormal value, else from high
                    direction = _OPPOSITE.get(last_direction.get(mention.name, ""), "decreased")
                else:
                    last_direction[mention.name] = direction
                if day_of is _day_near and sentence.days:  # not a day across another group's ("NSE fell, and pro-GRP ... by day 21")
                    group_of = group_of if group_of is not None else _marker_groups(sentence, folded)
                    others = [m for m in group_of if group_of[m] != group_of.get(mention)]
                    day = _day_near(dated, clause, sentence, others)
                else:
                    day = day_of(dated, clause, sentence)
                if day is None and not sentence.days:
                    day = _lab_day_before(mention, before.get(id(sentence)), sentence, text)
                if _pre_treatment(clause, day):
                    continue
                finding = MarkerFinding(
                    marker=mention.name,
                    direction=direction,
                    day=day,
                    evidence=text[sentence.span.start : sentence.span.end],
                    start=mention.start,
                    end=mention.end,
                    hpo_id=marker_hpo_id(mention.name, direction),
                )
                key = (finding.marker, finding.direction)
                rank = (sentence.evidence_rank, day is None, mention.start)
                if key not in found or rank < found[key][0]:
                    found[key] = (rank, finding)
    return [finding for _, finding in found.values()]


_OPPOSITE = {"increased": "decreased", "decreased": "increased"}


def _lab_day_before(mention: Mention, previous: Sentence | None, sentence: Sentence, text: str) -> int | None:
    """The nearest stated day, taken conservatively: a level (IL-6, sodium) in a sentence that states no time
    takes the one day stated in the sentence right before it in the same paragraph, when that sentence reports
    the same kind of event (it names a level too) and is about the patient: "On day 3, CRP was 120 mg/L.
    Ferritin was also elevated." """
    if previous is None or marker_kind(mention.name) != "level" or previous.background:
        return None
    if "\n" in text[previous.span.end : sentence.span.start]:  # a line of its own: a list item, a table row
        return None
    days = {d.day for d in previous.days if d.day is not None}
    names_a_level = any(m.kind == "marker" and marker_kind(m.name) == "level" for m in previous.entities)
    return days.pop() if len(days) == 1 and names_a_level else None
