"""The optional openai-whisper backend, offline: the test builds its own tiny checkpoint
(random weights, real ``whisper.load_model``, real decoding through our backend)."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from interview.errors import TranscriptionError
from interview.transcribe import DecodeOptions, OpenAIWhisperTranscriber, Transcriber, get_transcriber, local_models
from interview.transcript import Transcript, Word

from conftest import FIXTURES

pytestmark = pytest.mark.slow

try:
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper
except ImportError as exc:  # the extra is optional: pip install .[openai-whisper]
    pytest.skip(f"openai-whisper extra not installed ({exc}); pip install '.[openai-whisper]'",
                allow_module_level=True)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A tiny English-only Whisper with random weights, saved the way whisper.load_model reads it."""
    torch.manual_seed(0)
    dims = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=32, n_audio_head=2, n_audio_layer=2,
        n_vocab=51864, n_text_ctx=64, n_text_state=32, n_text_head=2, n_text_layer=2,
    )
    model = Whisper(dims)
    with torch.no_grad():  # some tensors start as torch.empty (uninitialised memory): give all values
        for param in model.parameters():
            param.normal_(0.0, 0.02)
    path = tmp_path_factory.mktemp("whisper") / "tiny-random.pt"
    torch.save({"dims": asdict(dims), "model_state_dict": model.state_dict()}, path)
    return path


def test_tiny_checkpoint_loads_and_decodes_real_audio(checkpoint):
    # Random weights make temperature fallback retry every window at every temperature
    # (tens of seconds); greedy-only keeps the test quick. The decoding path is otherwise the same.
    t = OpenAIWhisperTranscriber(str(checkpoint), options=DecodeOptions(temperatures=(0.0,)))
    assert isinstance(t, Transcriber)
    assert not t.model.is_multilingual and t.options.language == "en"
    result = t.transcribe(FIXTURES / "short_stereo_44k.wav")
    assert isinstance(result, Transcript)
    assert result.backend == "openai-whisper" and result.model == str(checkpoint)
    assert result.duration == pytest.approx(1.595, abs=0.05)
    assert isinstance(result.text, str) and result.elapsed > 0
    previous = 0.0
    for w in result.words:  # random weights: any words, but well-formed and in order
        assert isinstance(w, Word)
        assert 0.0 <= w.start <= w.end <= result.duration
        assert w.start >= previous
        previous = w.start
    again = list(t.segments(FIXTURES / "short_stereo_44k.wav", verbatim=False))
    assert all(s.start <= s.end <= result.duration for s in again)


def test_checkpoint_by_path_is_cached_per_process(checkpoint):
    first = get_transcriber("openai-whisper", str(checkpoint))
    assert get_transcriber("openai-whisper", str(checkpoint)) is first
    assert isinstance(first, OpenAIWhisperTranscriber)


def test_names_are_never_downloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # an empty whisper cache
    with pytest.raises(TranscriptionError, match="not in the local cache"):
        OpenAIWhisperTranscriber("base.en")
    with pytest.raises(TranscriptionError, match="not found"):
        OpenAIWhisperTranscriber("no-such-model")
    assert not (tmp_path / "whisper").exists()
    # tiny.en is the bundled model, converted on first use: always offered
    assert local_models("openai-whisper") == ["tiny.en"]


def test_a_bad_checkpoint_file_is_a_transcription_error(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(TranscriptionError, match="could not load"):
        OpenAIWhisperTranscriber(str(bad))
