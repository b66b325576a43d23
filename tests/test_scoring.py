"""Criterion signals, evidence offsets, tips, applicability and highlighting."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from interview.errors import RubricError
from interview.highlight import highlight_html, legend_html
from interview.profile import make_profile
from interview.scoring import AnswerScore, Evidence, infer_kind, score_answer
from interview.transcript import Segment, Transcript, Word

BEHAVIOURAL = SimpleNamespace(kind="behavioural", category="behavioural", suggested_seconds=120, look_for="STAR")
OPENING = SimpleNamespace(kind="opening", category="personal", suggested_seconds=90, look_for="summary")
ASK = SimpleNamespace(kind="applicant_questions", category="questions", suggested_seconds=90, look_for="research")

GROUNDED_US = (
    "During my externship in Boston, I charted every admission in Epic and presented on "
    "interdisciplinary rounds. I worked with the case manager on discharge planning for "
    "Medicaid patients, and I used I-PASS for every handoff. I passed Step 2 CK in 2023. "
    "These habits will help me be a safe intern in residency."
)
TERM_LIST_US = (
    "The American system has Epic, Cerner, HIPAA, Medicare, Medicaid, prior authorization, "
    "ACGME competencies, I-PASS handoffs, interpreter services and informed consent."
)


def crit(result: AnswerScore, cid: str):
    c = result.get(cid)
    assert c is not None, f"{cid} not scored; got {[x.id for x in result.criteria]}"
    return c


def assert_offsets(text: str, evidence):
    for e in evidence:
        assert text[e.start:e.end] == e.text, e


def test_every_evidence_span_indexes_the_text_exactly():
    text = "  Um, so, " + GROUNDED_US + "\n\nI, I think maybe that's, like, it. "
    prof = make_profile(name="Boston Safety-Net IM", country="us", mission="Serving underserved Medicaid patients.")
    r = score_answer(text, question=OPENING, profile=prof, country="us")
    assert r.evidence
    assert_offsets(text, r.evidence)
    kinds = {e.kind for e in r.evidence}
    assert {"filler", "local_term", "hedge", "repetition", "program"} <= kinds


def test_familiarity_counts_distinct_groups_not_raw_terms():
    many_same = "I used Epic, the EHR, the EMR, Epic again and Cerner at my externship in Boston."
    varied = "I used Epic at my externship in Boston, joined interdisciplinary rounds and wrote I-PASS handoffs."
    a = crit(score_answer(many_same, country="us"), "local_system_familiarity")
    b = crit(score_answer(varied, country="us"), "local_system_familiarity")
    assert a.signals["term_count"] > b.signals["concept_groups"]
    assert a.signals["concept_groups"] == 2  # EHRs + U.S. clinical experience
    assert b.signals["concept_groups"] == 4
    assert b.score > a.score


def test_term_list_without_substance_is_capped():
    r = crit(score_answer(TERM_LIST_US, country="us"), "local_system_familiarity")
    assert r.signals["concept_groups"] >= 6
    assert r.signals["grounded_groups"] == 0
    assert r.score <= 2.5
    assert any("without saying what you did" in t for t in r.tips)
    g = crit(score_answer(GROUNDED_US, country="us"), "local_system_familiarity")
    assert g.score >= 4.5 and g.signals["residency_tie"] == 1 and g.signals["img_concerns"] >= 1
    assert all("grounded" in e.label for e in g.evidence if e.kind == "local_term")


def test_familiarity_uses_the_country_lexicon():
    text = "During my observership in Toronto I learned how OHIP and the family health team work with nurse practitioners."
    ca = crit(score_answer(text, country="ca"), "local_system_familiarity")
    us = crit(score_answer(text, country="us"), "local_system_familiarity")
    assert ca.score > us.score
    guessed = score_answer(text)  # no country: the better-matching lexicon
    assert guessed.country == "ca"


def test_clarity_uses_timing_when_present():
    text = "I ran a clinic in Manila for four years. I trained nurses. I want to join your program."
    tokens = text.split()
    slow = Transcript(text=text, segments=[Segment(0, 0, 60, text, [
        Word(w, i * 3.5, i * 3.5 + 0.4) for i, w in enumerate(tokens)])], duration=60)
    good = Transcript(text=text, segments=[Segment(0, 0, 8, text, [
        Word(w, i * 0.42, i * 0.42 + 0.35) for i, w in enumerate(tokens)])], duration=8)
    s = crit(score_answer(text, transcript=slow), "clarity")
    g = crit(score_answer(text, transcript=good), "clarity")
    assert s.signals["words_per_minute"] < 30 and s.signals["pauses_over_2s"] >= 5
    assert 120 <= g.signals["words_per_minute"] <= 165
    assert g.score > s.score
    assert any(e.kind == "pause" for e in s.evidence)
    assert any("pace" in t.lower() or "paused" in t.lower() for t in s.tips)
    typed = crit(score_answer(text), "clarity")
    assert typed.signals["words_per_minute"] is None and "filler_per_100_words" in typed.subscores


def test_clarity_tips_name_the_fillers():
    text = "Um, I, like, worked in, uh, Lagos, you know, and, um, basically I, uh, liked it."
    c = crit(score_answer(text), "clarity")
    assert c.score < 3
    assert 1 <= len(c.tips) <= 3
    assert '"um"' in c.tips[0] and "fillers" in c.tips[0].lower()


def test_program_fit_only_with_a_real_profile():
    text = "I want to join your program because I love rural medicine."
    assert score_answer(text).get("program_fit") is None
    neutral = make_profile(name="this program", country="us")
    assert score_answer(text, profile=neutral).get("program_fit") is None
    prof = make_profile(name="Prairie Rural FM", country="ca", mission="Rural and remote family medicine.")
    assert score_answer(text, profile=prof).get("program_fit") is not None


def test_program_fit_rewards_meaningful_use_not_naming():
    prof = make_profile(name="Harbor Global Health Internal Medicine", country="us",
                        mission="Global health partnerships and research with refugee communities.")
    meaningful = ("I want to join Harbor because I worked two years in a refugee camp clinic in Jordan, "
                  "and I would love to contribute to your global health partnerships and research.")
    named = "Harbor. Global health. Research. Refugee communities. Partnerships."
    m = crit(score_answer(meaningful, profile=prof), "program_fit")
    n = crit(score_answer(named, profile=prof), "program_fit")
    assert m.signals["meaningful_ratio"] == 1.0 and m.signals["features_meaningful"] >= 2
    assert n.signals["meaningful_ratio"] == 0.0 and n.signals["mission_terms_named"] >= 2
    assert n.score <= 2.5 < m.score
    assert any(e.kind == "program" and "(named only)" in e.label for e in n.evidence)


def test_structure_star_for_behavioural():
    star = ("During my internship, a patient's family disagreed with the plan. I had to explain the risks. "
            "I asked for a family meeting and I explained the options with an interpreter. "
            "As a result the family agreed and the patient recovered. I learned to involve families early.")
    flat = "I am good with families. Families are important. Communication matters."
    s = crit(score_answer(star, question=BEHAVIOURAL), "structure")
    f = crit(score_answer(flat, question=BEHAVIOURAL), "structure")
    assert s.signals["parts"] == ["situation", "task", "action", "result", "learned"]
    assert f.signals["star_parts"] <= 1 and f.score < s.score
    assert any("Missing:" in t for t in f.tips)
    assert {e.label for e in s.evidence} >= {"STAR: situation", "STAR: action", "STAR: learned"}


def test_structure_opening_body_close_for_other_kinds():
    good = ("I am a family physician from Accra who wants to train in rural family medicine. "
            "For example, I ran a district clinic for 3 years. I also taught 12 community health workers. "
            "That is why I want to join a rural program like yours.")
    r = crit(score_answer(good, question=OPENING), "structure")
    assert r.signals["opening_direct"] == 1.0 and r.signals["body_support"] == 2 and r.signals["close"] == 1.0
    assert "star_parts" not in r.subscores


def test_questions_quality_only_for_applicant_questions():
    text = "What is the call schedule like? How much vacation do residents get?"
    assert score_answer(text, question=OPENING).get("questions_quality") is None
    q = crit(score_answer(text, question=ASK), "questions_quality")
    assert q.signals["question_count"] == 2 and q.signals["generic_count"] == 2
    assert q.score < 2.5
    assert any("e.g." in t for t in q.tips)  # better examples
    assert score_answer(text, question=ASK).get("local_system_familiarity") is None


def test_questions_quality_rewards_researched_questions():
    text = ("I read that your residents run a hepatitis C clinic with the health department. "
            "How are interns involved in it? As someone interested in liver disease, "
            "what research mentorship is there for PGY-1 residents?")
    q = crit(score_answer(text, question="Do you have any questions for us?"), "questions_quality")
    assert q.signals["specific_questions"] == 2 and q.signals["goal_link"] == 1
    assert q.score >= 4


def test_overall_is_weighted_mean_of_applicable_criteria():
    r = score_answer(GROUNDED_US, question=OPENING, country="us")
    ids = [c.id for c in r.assessed]
    assert ids == ["clarity", "local_system_familiarity", "relevance", "structure"]
    expected = sum(c.score * c.weight for c in r.assessed) / sum(c.weight for c in r.assessed)
    assert r.overall == pytest.approx(expected, abs=0.01)
    for c in r.assessed:
        assert 1 <= c.score <= 5 and c.band and 1 <= len(c.tips) <= 3
    # the others are listed as not assessed: no score, no tips, null in JSON
    skipped = [c for c in r.criteria if not c.applicable]
    assert {c.id for c in skipped} == {"program_fit", "questions_quality"}
    for c in skipped:
        assert c.score is None and c.tips == [] and c.band == "Not assessed"
        assert c.to_dict()["score"] is None
    assert AnswerScore.from_dict(r.to_dict()).result("program_fit").applicable is False


def test_round_trip_and_question_kinds():
    r = score_answer(GROUNDED_US, question="Tell me about a time you worked in a team.", country="us")
    assert r.question_kind == "behavioural"
    again = AnswerScore.from_dict(r.to_dict())
    assert again.to_dict() == r.to_dict()
    assert all(isinstance(e, Evidence) for c in again.criteria for e in c.evidence)
    assert any(c.evidence for c in again.criteria)
    assert infer_kind("Do you have any questions for us?") == "applicant_questions"
    assert infer_kind("Tell me about yourself.") == "opening"
    assert infer_kind("Why our program?") == "motivation"
    assert infer_kind("What would you do if a patient refuses treatment?") == "scenario"


def test_bad_input():
    with pytest.raises(RubricError, match="empty"):
        score_answer("   ")
    with pytest.raises(RubricError, match="unknown country"):
        score_answer("I worked hard.", country="uk")


def test_highlight_escapes_and_marks_overlaps():
    text = 'Um, I used <Epic> & "Cerner", like, daily.'
    r = score_answer(text, country="us")
    html = highlight_html(text, r.evidence, kinds=None)
    assert "<Epic>" not in html and "&lt;" in html and "&amp;" in html
    assert "hl-filler" in html and "hl-local_term" in html
    # overlapping spans: a filler inside a longer span
    ev = [Evidence(0, len(text), text, "run_on", "run-on"), Evidence(0, 2, "Um", "filler", "um")]
    html = highlight_html(text, ev, kinds=("filler", "run_on"))
    assert html.count("<mark") == 2 and "hl-filler hl-run_on" in html
    assert highlight_html(text, ev, kinds=("hedge",)) == highlight_html(text, [], kinds=("hedge",))
    assert "Filler words" in legend_html() and "Local health-system terms" in legend_html()
    # stored evidence dicts work too
    assert highlight_html(text, [e.__dict__ for e in ev], kinds=("filler",)).startswith("<mark")


def test_tips_never_blame_terms_or_names_the_answer_does_not_contain():
    """No local term and no program mention: the tips ask for them, they do not claim a
    'list of terms' or 'name-dropping' (ratios over nothing are undefined, not zero)."""
    profile = make_profile(name="Riverside Internal Medicine", country="us",
                           mission="Serving underserved communities through primary care")
    text = ("I chose internal medicine because I enjoy caring for patients with chronic "
            "conditions. I like long relationships with patients and I enjoy teamwork.")
    result = score_answer(text, question=OPENING, profile=profile, country="us")
    fam, fit = result.get("local_system_familiarity"), result.get("program_fit")
    assert fam.signals["concept_groups"] == 0 and fam.signals["grounding_ratio"] is None
    assert not any("You listed terms" in tip for tip in fam.tips)
    assert any("health system" in tip for tip in fam.tips)
    assert fit.signals["meaningful_ratio"] is None
    assert fit.score < 2.5
    # the listed-terms tip is still given where terms really are listed
    listed = score_answer(TERM_LIST_US, question=OPENING, country="us").get("local_system_familiarity")
    assert any("You listed terms" in tip for tip in listed.tips)


def test_length_is_judged_against_the_usual_time_for_a_typed_in_question():
    """A one-line answer to a typed-in question (no suggested time of its own) is far too
    short for its kind; with no question at all, length is not judged."""
    text = "I like your program because it has good teaching and nice people."
    short = score_answer(text, question="Why did you apply to our program?")
    comp = crit(short, "structure")
    assert comp.signals["suggested_seconds"] == 90 and comp.signals["completeness"] < 0.25
    assert comp.subscores["completeness"] < 2
    assert any("suggested 90 s" in t for t in comp.tips)
    unknown = crit(score_answer(text), "structure")
    assert unknown.signals["completeness"] is None and "completeness" not in unknown.subscores
    # length is never part of clarity
    assert "length_ratio" not in crit(short, "clarity").signals
    assert crit(short, "clarity").score == crit(score_answer(text), "clarity").score
