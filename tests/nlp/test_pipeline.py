"""The spaCy side and the process pool: abbreviation definitions found from a window around each bracket are
the ones scispaCy's functions find on the whole tokenized document, and n_process > 1 changes nothing but
where the work is done."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from scispacy.abbreviation import filter_matches, find_abbreviation

from extractor.nlp import extract_findings, extract_many
from extractor.nlp.pipeline import abbreviation_pairs, tokenizer

from .conftest import make_document


def whole_document_pairs(text: str, mention_ends: set[int]) -> list[tuple[str, str]]:
    """What the detector's functions find over the whole tokenized text, for the same brackets."""
    doc = tokenizer()(text)
    pairs = []
    for match in re.finditer(r"\(([^()]{1,80})\)", text):
        before_open, before_close = text[: match.start()].rstrip(), text[: match.end(1)].rstrip()
        if len(before_open) not in mention_ends and len(before_close) not in mention_ends:
            continue
        inside = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        if inside is None or inside.start == 0:
            continue
        for long_candidate, short_candidate in filter_matches([(-1, inside.start, inside.end)], doc):
            short, long = find_abbreviation(long_candidate, short_candidate)
            if long is not None:
                pairs.append((short.text, long.text))
    return list(dict.fromkeys(pairs))


def every_word_end(text: str) -> set[int]:
    """Where every word could end a lexicon mention."""
    return {match.end() for match in re.finditer(r"[A-Za-z0-9]+(?:[-=][A-Za-z0-9]+)*", text)}


def test_long_form_before_and_inside_the_brackets():
    text = ("The patient had tumour flare reaction (TFR) after teclistamab. "
            "Serum IL-6 (interleukin six) rose; the SCLC (small cell lung cancer) lesions grew.")
    pairs = abbreviation_pairs(text, every_word_end(text))
    assert ("TFR", "tumour flare reaction") in pairs
    assert ("SCLC", "small cell lung cancer") in pairs


def test_a_bracket_next_to_no_mention_is_not_read():
    text = "The patient had tumour flare reaction (TFR) after teclistamab."
    assert abbreviation_pairs(text, set()) == []


_WORDS = st.sampled_from(
    ["tumour", "flare", "reaction", "(TFR)", "(tumour flare)", "TFR", "small", "cell", "(SCLC)", "lung", "cancer",
     "(n=4)", "IL-6", "(interleukin-6)", "rose,", "the", "a", "(", ")", "of", "Day", "7.", "(pro-GRP)", "x(y)z",
     "(850", "pg/mL)", "(grade", "2)", "(a", "b", "c", "d)", "(TFR).", "(i.e.", "(Ab)c"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=120), st.sampled_from([" ", "  ", "\n", "\n\n "]))
def test_windows_and_the_quick_refusals_find_what_the_whole_document_finds(words, gap):
    text = gap.join(words)
    ends = every_word_end(text)
    assert abbreviation_pairs(text, ends) == whole_document_pairs(text, ends)


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
