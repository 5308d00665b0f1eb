"""The spaCy side and the process pool: abbreviation definitions found from a window around each bracket are
the ones scispaCy's functions find on the whole tokenized document, and n_process > 1 changes nothing but
where the work is done."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scispacy.abbreviation import filter_matches, find_abbreviation

from extractor.errors import BadInput
from extractor.lexicons import Term
from extractor.lexicons.folding import fold_marks
from extractor.nlp import extract_findings, extract_many
from extractor.nlp.abbreviations import abbreviation_pairs, tokenizer
from extractor.nlp.mentions import short_form_mentions
from extractor.nlp.sentences import used_again

from .conftest import make_document


def whole_document_pairs(text: str, mentions: set[tuple[int, int]]) -> list[tuple[str, str]]:
    """What the detector's functions find over the whole tokenized text: definitions whose long form ends
    where a mention ends, except at brackets that hold a whole mention of at most three tokens."""
    doc = tokenizer()(text)
    ends = {end for _, end in mentions}
    pairs = []
    for match in re.finditer(r"\(([^()]{1,80})\)", text):
        before_open, before_close = text[: match.start()].rstrip(), text[: match.end(1)].rstrip()
        if len(before_open) not in ends and len(before_close) not in ends:
            continue
        held = match.group(1).strip()
        if not held:  # scispaCy's short_form_filter divides by zero on a bracket of spaces: it defines nothing
            continue
        glued = re.search(r"\S\($", text[: match.start() + 1]) or re.match(r"\)[A-Za-z0-9]", text[match.end() - 1 :])
        few_tokens = sum(1 + 2 * len(re.findall(r"[^A-Za-z0-9]", word)) for word in held.split()) <= 3
        if not glued and few_tokens and (len(before_close) - len(held), len(before_close)) in mentions:
            continue
        inside = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        if inside is None or inside.start == 0:
            continue
        for long_candidate, short_candidate in filter_matches([(-1, inside.start, inside.end)], doc):
            short, long = find_abbreviation(long_candidate, short_candidate)
            if long is not None and long.end_char in ends:
                pairs.append((short.text, long.text))
    return list(dict.fromkeys(pairs))


def words_and_phrases(text: str) -> set[tuple[int, int]]:
    """Every word and every run of two to four words, standing for lexicon mentions."""
    words = [match.span() for match in re.finditer(r"[A-Za-z0-9]+(?:[-=][A-Za-z0-9]+)*", text)]
    return {(words[i][0], words[j][1]) for i in range(len(words)) for j in range(i, min(i + 4, len(words)))}


def test_long_form_before_and_inside_the_brackets():
    text = ("The patient had tumour flare reaction (TFR) after teclistamab. "
            "Serum IL-6 (interleukin six) rose; the SCLC (small cell lung cancer) lesions grew.")
    pairs = abbreviation_pairs(text, words_and_phrases(text) - {(text.index("TFR"), text.index("TFR") + 3)})
    assert ("TFR", "tumour flare reaction") in pairs
    assert ("SCLC", "small cell lung cancer") in pairs


def test_a_bracket_of_spaces_defines_nothing_and_breaks_nothing():
    for text in ("tumour flare( ) after teclistamab", "tumour flare ( )x", "tumour flare (  ) and more"):
        assert abbreviation_pairs(text, {(0, len("tumour flare"))}) == []
    findings = extract_findings(make_document("On day 7 tumour flare( ) was seen with teclistamab."))
    assert findings.flare.reported


def test_a_bracket_next_to_no_mention_or_holding_one_is_not_read():
    text = "The patient had tumour flare reaction (TFR) after teclistamab."
    assert abbreviation_pairs(text, set()) == []
    tfr = text.index("TFR")
    assert abbreviation_pairs(text, {(text.index("tumour"), tfr - 2), (tfr, tfr + 3)}) == []


_WORDS = st.sampled_from(
    ["tumour", "flare", "reaction", "(TFR)", "(tumour flare)", "TFR", "small", "cell", "(SCLC)", "lung", "cancer",
     "(n=4)", "IL-6", "(interleukin-6)", "rose,", "the", "a", "(", ")", "of", "Day", "7.", "(pro-GRP)", "x(y)z",
     "(850", "pg/mL)", "(grade", "2)", "(a", "b", "c", "d)", "(TFR).", "(i.e.", "(Ab)c", "(e.g.", "IL-6)",
     "(sIL-2R)", "(one", "two", "three", "four", "five", "six", "seven", "eight", "nine)", "x,", "(TFR;",
     "SCLC", "(small", "cancer)", "patients", "(TFR", "reaction)", "cd8+"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=120), st.sampled_from([" ", "  ", "\n", "\n\n "]))
def test_windows_and_the_quick_refusals_find_what_the_whole_document_finds(words, gap):
    text = gap.join(words)
    mentions = {span for span in words_and_phrases(text) if span[0] % 3}  # some words are mentions, some not
    assert abbreviation_pairs(text, mentions) == whole_document_pairs(text, mentions)


def test_two_processes_give_the_same_findings_in_the_same_order(seed_documents):
    documents = [
        *seed_documents.values(),
        make_document("A 70-year-old man with DLBCL received glofitamab; on day 3 tumor flare with enlarged nodes."),
        make_document("Nothing here names a drug."),
    ] * 3
    one = [findings.to_json() for findings in extract_many(documents)]
    two = [findings.to_json() for findings in extract_many(iter(documents), n_process=2)]
    assert two == one
    assert one[0] == extract_findings(documents[0]).to_json()


def test_documents_read_before_a_failure_are_still_extracted():
    """extract_many reads ahead; a source that fails half-way (a malformed record) must not take the documents
    read before it down with it."""
    names = ["tarlatamab", "teclistamab", "glofitamab"]

    def documents():
        for name in names:
            yield make_document(f"A patient received {name}; on day 7 pseudoprogression was seen.")
        raise BadInput("records.xml: line 80: mismatched tag")

    extracted = []
    with pytest.raises(BadInput, match="mismatched tag"):
        for findings in extract_many(documents()):
            extracted.append(findings.engagers)
    assert extracted == [[name] for name in names]


_SHORT_FORM_WORDS = st.sampled_from(
    ["multiple", "myeloma", "(MM)", "(MM).", "(MM),", "MM", "MM.", "(MM)-related", "(MMx)", "tumour", "flare",
     "(TF)", "TF", "(TF;", "IL-6", "(IL-6)", "interleukin", "(\u03b1-TF)", "\u03b1-TF", "a-TF", "the", "of"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SHORT_FORM_WORDS, min_size=1, max_size=40), st.sampled_from([" ", "\n"]))
def test_brackets_left_unread_hold_short_forms_that_would_name_nothing(words, gap):
    """A bracket is left unread only when its short form occurs nowhere but there, right after its long form:
    the one mention it could give is the definition itself, which the rules drop (sentences._entities)."""
    text = gap.join(words)
    mentions = {span for span in words_and_phrases(text) if span[0] % 3}
    marks = fold_marks(text)
    left_unread = set(abbreviation_pairs(text, mentions)) - set(abbreviation_pairs(text, mentions, used_again(marks)))
    ends = {end for _, end in mentions}
    for short, _ in left_unread:
        found = short_form_mentions(marks, {short: Term(short, "x", "marker")}, 0, len(text))
        assert len(found) <= 1
        for mention in found:  # "<long form> (<short form>)", the long form a mention
            assert text[mention.end :].lstrip().startswith(")")
            opening = text[: mention.start].rstrip()
            assert opening.endswith("(") and len(opening[:-1].rstrip()) in ends
