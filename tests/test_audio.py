"""Audio loading: every supported format decodes to 16 kHz mono float32; bad input is refused
with a clear AudioError. Uses the committed fixtures (see tests/fixtures/README.md)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from interview.audio import SAMPLE_RATE, AudioClip, analyse, decode_audio, default_max_seconds, load_audio, save_wav
from interview.errors import AudioError, InterviewError

from conftest import FIXTURES

ANSWER_SECONDS = 8.68
FORMATS = ["answer.wav", "answer.flac", "answer.mp3", "answer.m4a", "answer.ogg", "answer.webm"]


@pytest.fixture(scope="module")
def reference() -> AudioClip:
    return load_audio(FIXTURES / "answer.wav")


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_decodes_to_16k_mono_float32(name, reference):
    clip = load_audio(FIXTURES / name)
    assert clip.sample_rate == SAMPLE_RATE
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert clip.duration == pytest.approx(ANSWER_SECONDS, abs=0.1)
    assert clip.samples.size == pytest.approx(clip.duration * SAMPLE_RATE, abs=1)
    assert 0.5 < clip.peak <= 1.0
    # lossy codecs change the waveform a little, not its loudness
    assert clip.rms == pytest.approx(reference.rms, rel=0.1)
    assert clip.speech_seconds is not None and clip.speech_seconds > 6
    assert clip.warnings == []
    assert clip.clipped_fraction == 0.0


def test_stereo_44k_wav_is_downmixed_and_resampled():
    clip = load_audio(FIXTURES / "short_stereo_44k.wav")
    with wave.open(str(FIXTURES / "short_stereo_44k.wav")) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 44100)
        source_seconds = w.getnframes() / w.getframerate()
    assert clip.sample_rate == 16000 and clip.samples.ndim == 1
    assert clip.duration == pytest.approx(source_seconds, abs=0.02)


def test_bytes_and_file_objects_give_the_same_samples_as_a_path(reference):
    data = (FIXTURES / "answer.wav").read_bytes()
    from_bytes = load_audio(data)
    assert np.array_equal(from_bytes.samples, reference.samples)
    upload = io.BytesIO((FIXTURES / "answer.webm").read_bytes())
    upload.name = "answer.webm"  # what Streamlit's UploadedFile carries
    clip = load_audio(upload)
    assert clip.name == "answer.webm"
    assert clip.duration == pytest.approx(ANSWER_SECONDS, abs=0.1)


def test_levels_are_measured(reference):
    samples = reference.samples
    assert reference.peak == pytest.approx(float(np.abs(samples).max()))
    assert reference.rms == pytest.approx(float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))), rel=1e-6)
    assert -30 < reference.rms_dbfs < -10 and reference.peak_dbfs <= 0


def test_clipping_is_a_warning_not_an_error():
    clip = load_audio(FIXTURES / "clipped.wav")
    assert clip.clipped_fraction > 0.05
    assert len(clip.warnings) == 1 and "clipped" in clip.warnings[0]
    assert "microphone" in clip.warnings[0]


@pytest.mark.parametrize("name, words", [
    ("empty.wav", "empty (0 bytes)"),
    ("zero_length.wav", "zero length"),
    ("corrupt.wav", "corrupt"),
    ("truncated.m4a", "corrupt"),
    ("notaudio.txt", "unsupported format '.txt'"),
    ("silence.wav", "no speech detected"),
])
def test_bad_files_raise_a_clear_audio_error(name, words):
    with pytest.raises(AudioError) as info:
        load_audio(FIXTURES / name)
    message = str(info.value)
    assert words in message
    assert name in message  # says which file
    assert "\n" not in message
    assert isinstance(info.value, InterviewError)


def test_bad_bytes_are_refused_too():
    with pytest.raises(AudioError, match="empty"):
        load_audio(b"")
    with pytest.raises(AudioError, match="corrupt"):
        load_audio((FIXTURES / "corrupt.wav").read_bytes())
    with pytest.raises(AudioError, match="no speech detected"):
        load_audio((FIXTURES / "silence.wav").read_bytes())


def test_digital_silence_is_no_speech(tmp_path):
    path = save_wav(tmp_path / "zeros.wav", np.zeros(SAMPLE_RATE * 2, dtype=np.float32))
    with pytest.raises(AudioError, match="no speech detected"):
        load_audio(path)
    # the speech check can be skipped (e.g. to show a level meter)
    clip = load_audio(path, check_speech=False)
    assert clip.peak == 0 and clip.speech_seconds is None


def test_too_long_is_refused_with_the_limit(monkeypatch):
    with pytest.raises(AudioError, match=r"too long \(8\.7 s; the limit is 5\.0 s\)"):
        load_audio(FIXTURES / "answer.wav", max_seconds=5)
    monkeypatch.setenv("INTERVIEW_MAX_SECONDS", "3")
    assert default_max_seconds() == 3
    with pytest.raises(AudioError, match="too long"):
        load_audio(FIXTURES / "answer.mp3")
    monkeypatch.setenv("INTERVIEW_MAX_SECONDS", "ten")
    with pytest.raises(AudioError, match="INTERVIEW_MAX_SECONDS"):
        load_audio(FIXTURES / "answer.mp3")
    monkeypatch.delenv("INTERVIEW_MAX_SECONDS")
    assert default_max_seconds() == 600


def test_long_recording_stops_decoding_early(tmp_path):
    """A file longer than the limit is refused without decoding it all (no declared length in raw bytes)."""
    tone = (0.3 * np.sin(np.arange(SAMPLE_RATE * 30) * 2 * np.pi * 220 / SAMPLE_RATE)).astype(np.float32)
    path = save_wav(tmp_path / "long.wav", tone)
    with pytest.raises(AudioError, match="too long"):
        decode_audio(path, max_seconds=10)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match="folder"):
        load_audio(tmp_path)
    with pytest.raises(AudioError, match="cannot read audio from a int"):
        load_audio(42)


def test_save_wav_round_trip(tmp_path):
    samples = (0.5 * np.sin(np.linspace(0, 400 * np.pi, SAMPLE_RATE))).astype(np.float32)
    path = save_wav(tmp_path / "sub" / "tone.wav", samples)
    back = decode_audio(path)
    assert back.size == samples.size
    assert np.max(np.abs(back - samples)) < 1e-3


def test_analyse_rejects_empty_samples():
    with pytest.raises(AudioError, match="zero length"):
        analyse(np.zeros(0, dtype=np.float32))


def _noise_vocoded(samples: np.ndarray, seed: int = 1) -> np.ndarray:
    """Whisper-like sound: the speech's loudness envelope carried by band-limited noise (no
    voice pitch, so the VAD does not accept it at any level)."""
    hop = 160
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(samples, (0, 400)), 400)[::hop]
    envelope = np.repeat(np.sqrt((frames ** 2).mean(axis=1)), hop)[: samples.size]
    noise = np.random.default_rng(seed).normal(0, 1, samples.size)
    spectrum = np.fft.rfft(noise)
    freqs = np.fft.rfftfreq(samples.size, 1 / SAMPLE_RATE)
    spectrum[(freqs < 500) | (freqs > 4000)] = 0
    noise = np.fft.irfft(spectrum, samples.size)
    return (noise / noise.std() * envelope).astype(np.float32)


def test_very_quiet_speech_is_amplified_with_a_warning(reference):
    quiet = reference.samples * np.float32(0.0015)  # about -78 dBFS: the VAD misses it as recorded
    clip = analyse(quiet, name="quiet.wav")
    assert clip.rms_dbfs < -70
    assert clip.speech_seconds > 6
    assert clip.peak == pytest.approx(float(np.abs(quiet).max()))  # levels are those recorded
    assert np.abs(clip.samples).max() == pytest.approx(0.5, rel=0.05)  # transcribed louder
    assert any("very quiet" in w and "amplified" in w for w in clip.warnings)


def test_quiet_voice_like_sound_gets_a_softer_message_than_no_speech(reference):
    whisper_like = _noise_vocoded(reference.samples) * np.float32(0.05)  # about -47 dBFS
    with pytest.raises(AudioError, match=r"too quiet to transcribe \(-4\d dBFS\).*whispering") as info:
        analyse(whisper_like, name="whisper.wav")
    assert "no speech detected" not in str(info.value)
    assert "\n" not in str(info.value)
    # loud steady noise and a quiet click are still "no speech"
    rng = np.random.default_rng(7)
    for sound in (rng.normal(0, 1e-3, 48000).astype(np.float32),
                  np.concatenate([np.zeros(20000), rng.normal(0, 0.01, 800), np.zeros(20000)]).astype(np.float32),
                  (0.01 * np.sin(2 * np.pi * 50 * np.arange(48000) / SAMPLE_RATE)).astype(np.float32)):
        with pytest.raises(AudioError, match="no speech detected"):
            analyse(sound)
