"""The discovery query built from term lists, and related articles through elink on a local server."""

from __future__ import annotations

import pytest

from extractor.sources.discover import REPORT_TYPES, discovery_query, related_articles
from extractor.sources.eutils import EutilsClient
from tests.fake_ncbi import FakeNcbi


def test_the_query_is_any_drug_and_any_flare_word_in_case_reports_or_letters():
    query = discovery_query(["Tarlatamab", "Imdelltra", "AMG 757"], ["pseudoprogression", "tumour flare"])
    assert query == (
        '("tarlatamab" OR "imdelltra" OR "amg 757") AND ("pseudoprogression" OR "tumour flare") AND ' + REPORT_TYPES
    )


def test_duplicates_quotes_and_lexicon_gap_markers_do_not_reach_the_query():
    query = discovery_query(["tarlatamab", " Tarlatamab ", 'bad"quote'], ["flare", "transient ... swelling"])
    assert query.startswith('("tarlatamab" OR "bad quote") AND ("flare") AND')


@pytest.mark.parametrize(("drugs", "flares"), [([], ["flare"]), (["tarlatamab"], []), (["..."], ["flare"])])
def test_a_query_without_drugs_or_flare_words_is_refused(drugs, flares):
    with pytest.raises(ValueError):
        discovery_query(drugs, flares)


def test_related_articles_leave_out_known_papers_and_stop_at_the_limit():
    known = [str(10000000 + n) for n in range(450)]
    related = {pmid: [pmid, known[0], f"2{pmid[1:]}", f"3{pmid[1:]}"] for pmid in known}
    with FakeNcbi(related=related) as ncbi:
        client = EutilsClient(ncbi.url, backoff=0.01)
        everything = related_articles(client, known, limit=10000)
        first_ten = related_articles(client, known, limit=10)
    assert len(everything) == 900 and not set(everything) & set(known)
    assert first_ten == everything[:10]
    calls = ncbi.calls("elink.fcgi")
    assert [len(call.form["id"].split(",")) for call in calls] == [200, 200, 50, 200]  # batches; the limit stops early
    assert {call.form["linkname"] for call in calls} == {"pubmed_pubmed"}
