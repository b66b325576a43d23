"""Real human speech (../shared/real_speech/), transcribed by both backends on the bundled
tiny.en: word error rate after Whisper's English normaliser and filler recall, with bounds.

The bounds sit a little above what the defaults measure (benchmarks/bench_real_speech.py);
both backends decode the same weights with the same settings, so their texts must agree too.
"""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "benchmarks"))

from speech_eval import filler_recall, normalizer_skip_reason, real_speech, wer  # noqa: E402

pytestmark = pytest.mark.slow

CLIPS = {c.path.name: c for c in real_speech(SHARED / "real_speech")}
if not CLIPS:
    pytest.skip(f"the real speech clips are not in {SHARED / 'real_speech'}", allow_module_level=True)
if normalizer_skip_reason():
    pytest.skip(normalizer_skip_reason(), allow_module_level=True)

#: clip -> highest WER accepted for the default backend (measured 0.00 / 0.05 / 0.00 / 0.16 / 0.00)
BOUNDS = {
    "jfk.wav": 0.05,
    "mfa_acoustic_corpus.wav": 0.12,
    "ps_sense_and_sensibility_01_austen_64kb-0870.wav": 0.10,
    "pyannote_sample_phonecall.wav": 0.25,
    "ps_goforward.wav": 0.0,
}
#: the clips the openai-whisper backend transcribes too (it is 5-10x slower)
OPENAI_CLIPS = ["jfk.wav", "mfa_acoustic_corpus.wav", "ps_sense_and_sensibility_01_austen_64kb-0870.wav"]


@pytest.fixture(scope="module")
def faster():
    from interview.transcribe import get_transcriber

    t = get_transcriber("faster-whisper")
    return {name: t.transcribe(CLIPS[name].path) for name in BOUNDS}


@pytest.mark.parametrize("name", list(BOUNDS))
def test_default_backend_word_error_rate_on_real_speech(faster, name):
    clip, result = CLIPS[name], faster[name]
    assert result.backend == "faster-whisper"
    assert wer(clip.transcript, result.text) <= BOUNDS[name], result.text
    assert result.words and result.words[-1].end <= clip.duration + 0.05


def test_spoken_fillers_are_kept_on_real_speech(faster):
    # "um" x3 and "uh" x1 spoken (manifest transcript); Whisper's normaliser would drop them
    clip = CLIPS["mfa_acoustic_corpus.wav"]
    assert filler_recall(clip.transcript, faster[clip.path.name].text) >= 0.75
    short = [CLIPS[n] for n in ("mfa_um.flac", "mfa_uh.flac", "mfa_crossword.flac")]
    from interview.transcribe import get_transcriber

    texts = [get_transcriber("faster-whisper").transcribe(c.path).text for c in short]
    assert filler_recall([c.transcript for c in short], texts) == 1.0, texts


def test_openai_whisper_backend_matches_the_default_on_real_speech(faster, tmp_path_factory, monkeypatch):
    try:
        import whisper  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"needs the openai-whisper extra ({exc}): pip install '.[openai-whisper]'")
    from interview.transcribe import OpenAIWhisperTranscriber

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    t = OpenAIWhisperTranscriber()  # the bundled weights, converted on first use
    refs, ours, theirs = [], [], []
    for name in OPENAI_CLIPS:
        result = t.transcribe(CLIPS[name].path)
        assert result.backend == "openai-whisper" and result.words
        assert wer(CLIPS[name].transcript, result.text) <= BOUNDS[name], result.text
        refs.append(CLIPS[name].transcript)
        ours.append(result.text)
        theirs.append(faster[name].text)
    # same weights, same settings (float32 here, int8 there): the WERs differ by at most 0.04
    # (openai-whisper sometimes adds a word such as "Okay." at the end of a chunk)
    assert abs(wer(refs, ours) - wer(refs, theirs)) <= 0.04
    assert wer(theirs, ours) <= 0.08
