"""Delivery metrics on answers with known figures."""

from __future__ import annotations

import pytest

from interview.errors import RubricError
from interview.metrics import DeliveryMetrics, compute_metrics, load_filler_lexicon
from interview.transcript import Word
from interview.yamlfile import clear_cache


def evenly_timed(n: int, seconds: float, gap_after: dict[int, float] | None = None) -> tuple[str, list[Word]]:
    """``n`` words spread evenly over ``seconds``; optional extra silence after word i."""
    gap_after = gap_after or {}
    step = seconds / n
    words, t = [], 0.0
    for i in range(n):
        words.append(Word(f"word{i}", round(t, 3), round(t + step * 0.8, 3)))
        t += step + gap_after.get(i, 0.0)
    return " ".join(w.word for w in words), words


def test_sixty_words_over_thirty_seconds_is_120_wpm():
    text, words = evenly_timed(60, 30.0)
    words[-1].end = 30.0
    m = compute_metrics(text, words)
    assert m.timed
    assert m.words_per_minute == pytest.approx(120.0, abs=0.1)
    assert m.speech_span == pytest.approx(30.0)
    assert m.word_count == 60


def test_articulation_rate_excludes_pauses_and_pauses_are_located():
    text, words = evenly_timed(40, 20.0, gap_after={9: 1.5, 29: 3.0})
    m = compute_metrics(text, words, duration=30.0)
    assert m.duration == 30.0
    assert m.pauses_over_1s == 2 and m.pauses_over_2s == 1
    assert m.longest_pause == pytest.approx(3.1, abs=0.01)
    first, second = m.pauses
    assert first.word_index == 10 and second.word_index == 30
    assert text[first.char_offset:].startswith("word10")
    assert 0 < first.position < second.position < 1
    # 40 words over ~24.5 s span; articulation (pauses out) is faster than the speaking rate
    assert m.articulation_rate > m.words_per_minute
    assert m.speaking_time < m.speech_span


def test_pause_between_sentences_is_natural_mid_sentence_is_not():
    text = "I worked in Miami. Then I moved to Boston and I joined the team."
    toks = text.replace(".", "").split()
    words, t = [], 0.0
    for i, w in enumerate(toks):
        words.append(Word(w, t, t + 0.3))
        t += 0.4 + (1.6 if w == "Miami" else 0) + (2.5 if w == "and" else 0)
    m = compute_metrics(text, words)
    assert [p.between_sentences for p in m.pauses] == [True, False]
    assert m.mid_sentence_pauses == 1


def test_typed_answer_has_text_metrics_only():
    m = compute_metrics("I ran a clinic for 4 years. It served 200 patients a week.", suggested_seconds=90)
    assert not m.timed
    assert m.words_per_minute is None and m.pauses_over_1s is None and m.filler_per_minute is None
    assert m.sentence_count == 2
    assert m.number_count >= 2
    assert m.length_estimated and m.length_seconds == pytest.approx(13 / 140 * 60, abs=0.1)
    assert m.length_verdict == "short"


def test_fillers_with_context_rules():
    text = ("So I would like to say that, like, I, I, I kind of liked it. "
            "Um, you know, the ER was busy. Do you know what I mean? Okay so, basically, that's it.")
    m = compute_metrics(text)
    found = [(o.text, o.id) for o in m.fillers]
    assert ("So", "so_start") in found
    assert ("like", "like") in found            # ", like," is a filler ...
    assert not any(o.text == "like" and text[o.start - 6:o.start] == "would " for o in m.fillers)  # ... "would like" is not
    assert ("Um", "um") in found and ("you know", "you_know") in found
    assert not any(o.text == "ER" for o in m.fillers)  # the department, not "er"
    assert not any(o.start > text.index("Do you know") and o.id == "you_know" and o.start < text.index("Okay") for o in m.fillers)
    assert ("Okay so", "so_start") in found and ("basically", "basically") in found
    assert m.repetition_count == 2  # "I, I, I"
    assert any(h.text == "kind of" for h in m.hedges)
    for o in m.fillers + m.hedges + m.repetitions:
        assert text[o.start:o.end] == o.text


def test_kind_of_as_a_noun_phrase_is_not_a_filler():
    m = compute_metrics("What kind of doctor do you want to be? This kind of patient needs time.")
    assert m.filler_count == 0 and m.hedge_count == 0


def test_hedges():
    m = compute_metrics("I guess I could do it. I think maybe it would probably work, but I'm not sure.")
    labels = {o.id for o in m.hedges}
    assert {"i_guess", "maybe", "probably", "not_sure"} <= labels


def test_fillers_get_times_from_timed_words():
    text = "Um, I ran the clinic."
    words = [Word("Um,", 0.0, 0.3), Word(" I", 0.8, 0.9), Word(" ran", 0.9, 1.1), Word(" the", 1.1, 1.2),
             Word(" clinic.", 1.2, 1.6)]
    m = compute_metrics(text, words)
    assert m.fillers[0].time == 0.0
    assert m.filler_per_minute == pytest.approx(1 / (1.6 / 60), rel=0.01)


def test_run_on_and_sentence_length():
    long = " ".join(["and I saw patients"] * 12) + "."
    m = compute_metrics("I trained in Lagos. " + long)
    assert m.run_on_count == 1
    assert m.longest_sentence > 40
    assert m.run_ons[0].words > 40


def test_length_against_suggested_time_when_timed():
    text, words = evenly_timed(100, 200.0)
    m = compute_metrics(text, words, suggested_seconds=90)
    assert m.length_verdict == "long" and m.length_ratio > 1.5


def test_round_trip_to_dict():
    text, words = evenly_timed(30, 15.0, gap_after={5: 2.5})
    m = compute_metrics("Um, " + text, [Word("Um,", 0, 0.2)] + words)
    again = DeliveryMetrics.from_dict(m.to_dict())
    assert again == m


def test_empty_text():
    m = compute_metrics("")
    assert m.word_count == 0 and m.sentence_count == 0 and m.filler_count == 0


def test_filler_lexicon_validation(tmp_path):
    bad = tmp_path / "fillers.yaml"
    bad.write_text("fillers:\n  - id: um\n    label: um\n    phrases: ['u(m)+']\n", encoding="utf-8")
    clear_cache()
    with pytest.raises(RubricError) as exc:
        load_filler_lexicon(bad)
    assert "fillers.yaml" in str(exc.value) and "regular expression" in str(exc.value)
    bad.write_text("fillers:\n  - id: um\n    label: um\n    phrases: [um]\n    position: middle\n", encoding="utf-8")
    with pytest.raises(RubricError, match="position"):
        load_filler_lexicon(bad)
    bad.write_text("fillers: [\n", encoding="utf-8")
    with pytest.raises(RubricError, match="malformed YAML"):
        load_filler_lexicon(bad)


def test_edited_filler_lexicon_is_picked_up(tmp_path):
    path = tmp_path / "fillers.yaml"
    path.write_text("fillers:\n  - id: um\n    label: um\n    phrases: [um]\n", encoding="utf-8")
    m = compute_metrics("Um, I see, innit.", lexicon_path=path)
    assert m.filler_count == 1
    import os
    path.write_text("fillers:\n  - id: um\n    label: um\n    phrases: [um, innit]\n", encoding="utf-8")
    os.utime(path, (1, 1))  # a different mtime, as an editor would leave
    m = compute_metrics("Um, I see, innit.", lexicon_path=path)
    assert m.filler_count == 2
