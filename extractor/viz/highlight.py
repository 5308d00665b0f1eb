"""Evidence sentences with flarekb's entities marked, for the HTML report: displaCy's entity renderer over the
entities the `flarekb` spaCy component finds in the sentence (spacy_component.case_entities).

The label is a tooltip (`title`), not text beside the word, so the sentence still reads as the paper wrote
it; displaCy escapes the sentence, so text from a paper stays text.
"""

from __future__ import annotations

from markupsafe import Markup

# Light backgrounds, dark text: the marked words stay readable in print and for colour-blind readers.
ENTITY_COLOURS = {"DRUG": "#D6E6F5", "MARKER": "#F8DCC8", "DISEASE": "#E6E6E6", "FLARE": "#F5E3B3",
                  "TIME": "#D5EEDF"}
_MARK = '<mark class="entity {label}" title="{label}" style="background: {bg}">{text}</mark>'


def highlight(sentence: str) -> Markup:
    """The sentence as HTML, its drugs, markers, disease, flare words and days marked."""
    from spacy import displacy

    from extractor.spacy_component import case_entities

    _, entities = case_entities(sentence)
    data = {"text": sentence, "ents": [{"start": e.start, "end": e.end, "label": e.label} for e in entities]}
    html = displacy.render(data, style="ent", manual=True, jupyter=False,
                           options={"template": _MARK, "colors": ENTITY_COLOURS})
    return Markup(html.strip())
