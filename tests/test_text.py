"""The one text engine: tokens, sentences, the phrase matcher and the highlight algorithm."""

from __future__ import annotations

from interview.highlight import highlight_html
from interview.lexicon import load_lexicon
from interview.reports import mark_markdown
from interview.text import Doc, PhraseMatcher, fold, layer_spans, split_sentences, stem, tokenize


def test_tokens_are_accent_aware_and_keep_offsets():
    text = "J'ai travaillé à Montréal, then Québec; I'm done."
    toks = tokenize(text)
    assert [t.raw for t in toks][:4] == ["J'ai", "travaillé", "à", "Montréal"]
    for t in toks:
        assert text[t.start:t.end] == t.raw
    assert fold("Montréal") == fold("montreal") == "montreal"
    m = PhraseMatcher(["montreal", "quebec"]).find(text)
    assert [text[x.start:x.end] for x in m] == ["Montréal", "Québec"]


def test_sentences_do_not_break_on_abbreviations_or_decimals():
    text = "I trained in the U.S. with Dr. Smith. We cut errors by 2.5 percent! Did it last? Yes.\n\nNew paragraph"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "I trained in the U.S. with Dr. Smith.", "We cut errors by 2.5 percent!", "Did it last?", "Yes.",
        "New paragraph"]


def test_phrase_matcher_whole_words_longest_first():
    m = PhraseMatcher(["internal", "internal medicine", "we'll"])
    doc = Doc("Internists love internal medicine; well, internally we'll see.")
    found = [(doc.text[x.start:x.end], x.phrase) for x in m.find(doc)]
    assert found == [("internal medicine", "internal medicine"), ("we'll", "we'll")]
    # joinable: hyphens, spaces and dots between words are ignored; plurals match
    j = PhraseMatcher(["sub internship", "US"], joinable=True, plurals=True)
    doc = Doc("Two sub-internships and two subinternship in the U.S.")
    assert [doc.text[x.start:x.end] for x in j.find(doc)] == ["sub-internships", "subinternship", "U.S"]


def test_stems_are_real_stems():
    assert stem("internal") != stem("internists")
    assert stem("communities") == stem("community")
    assert stem("serving") == stem("serve")


def test_lexicon_uses_the_matcher():
    found = load_lexicon("us").find("I used Epic at an FQHC and the E.H.R. during my sub-internship.")
    assert {f.text for f in found} >= {"Epic", "FQHC", "sub-internship"}


def test_one_highlight_algorithm_for_app_and_report():
    """Overlapping spans: the app's HTML and the report's Markdown cut them the same way
    (a filler inside a local-term span is its own piece; nothing is dropped)."""
    text = "I used um Epic daily."
    ev = [{"start": 7, "end": 14, "kind": "local_term", "label": "EHR"},
          {"start": 7, "end": 9, "kind": "filler", "label": "um"}]
    layers = layer_spans(len(text), [(e["start"], e["end"], e["kind"]) for e in ev])
    pieces = [(text[l.start:l.end], l.spans) for l in layers]
    assert pieces == [("I used ", ()), ("um", ("filler", "local_term")), (" Epic", ("local_term",)),
                      (" daily.", ())]
    html = highlight_html(text, ev, kinds=None)
    assert html.count("<mark") == 2 and "um</mark>" in html and " Epic</mark>" in html
    md = mark_markdown(text, ev)
    assert md == "I used ~~um~~** Epic** daily."
