"""Audio in: decode any answer recording to 16 kHz mono float32 and check it is usable.

Decoding uses PyAV (the FFmpeg libraries bundled in the ``av`` wheel, as faster-whisper
does), so no system ``ffmpeg`` binary is needed. :func:`load_audio` accepts a path, raw
bytes (what ``st.audio_input`` / ``st.file_uploader`` give) or a binary file object, and
returns an :class:`AudioClip` with the samples and simple level figures.

Problems a user can fix raise :class:`~interview.errors.AudioError` with a message that says
what is wrong and what to do: empty or zero-length recordings, corrupt files, unsupported
formats, recordings longer than the limit, and silence ("no speech detected"). Clipping is
only a warning (``AudioClip.warnings``): the answer can still be transcribed.
"""

from __future__ import annotations

import gc
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np

from .errors import AudioError

#: Whisper's input rate
SAMPLE_RATE = 16000
#: default limit on a recording's length (10 minutes); env ``INTERVIEW_MAX_SECONDS`` overrides
DEFAULT_MAX_SECONDS = 600.0
#: what the upload widget offers and the error messages list
SUPPORTED_EXTENSIONS = (
    ".wav", ".flac", ".mp3", ".m4a", ".aac", ".mp4", ".ogg", ".oga", ".opus", ".webm", ".weba",
)
SUPPORTED_FORMATS_TEXT = "WAV, FLAC, MP3, M4A/AAC, OGG/Opus or WebM"
#: a sample at or above this magnitude counts as clipped
CLIP_LEVEL = 0.99
#: warn about clipping when more than this fraction of samples is clipped (0.1 %)
CLIP_WARN_FRACTION = 0.001
#: below this RMS (about -80 dBFS) the recording is digital silence: no need to run the VAD
SILENCE_RMS = 1e-4
#: shortest total speech, in seconds, that counts as "speech detected"
MIN_SPEECH_SECONDS = 0.25
#: below this RMS (about -35 dBFS) a recording counts as quiet: a whisper or a distant voice
QUIET_RMS = 10 ** (-35 / 20)
#: a quiet recording is brought up to this peak before the VAD looks again (at most x1000)
BOOST_PEAK, MAX_BOOST = 0.5, 1000.0

AudioSource = Union[str, os.PathLike, bytes, bytearray, memoryview, BinaryIO]


@dataclass
class AudioClip:
    """A decoded recording: 16 kHz mono float32 samples in [-1, 1] and level figures."""

    samples: np.ndarray
    sample_rate: int = SAMPLE_RATE
    duration: float = 0.0
    #: largest absolute sample value (1.0 = full scale)
    peak: float = 0.0
    #: root-mean-square level (full-scale sine = 0.707)
    rms: float = 0.0
    #: fraction of samples at or above :data:`CLIP_LEVEL`
    clipped_fraction: float = 0.0
    warnings: list[str] = field(default_factory=list)
    #: seconds of speech the VAD found (``None`` when the speech check was skipped)
    speech_seconds: float | None = None
    #: speech regions (start, end) in seconds found by the VAD (empty when the check was skipped)
    speech: list[tuple[float, float]] = field(default_factory=list)
    #: a short name for messages (the file name, or "recording")
    name: str = "recording"

    @property
    def peak_dbfs(self) -> float:
        return float(20 * np.log10(self.peak)) if self.peak > 0 else float("-inf")

    @property
    def rms_dbfs(self) -> float:
        return float(20 * np.log10(self.rms)) if self.rms > 0 else float("-inf")


def default_max_seconds() -> float:
    """The length limit: env ``INTERVIEW_MAX_SECONDS`` if set to a positive number, else 600."""
    raw = os.environ.get("INTERVIEW_MAX_SECONDS", "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise AudioError(
                f"INTERVIEW_MAX_SECONDS={raw!r} is not a number of seconds; set it to e.g. 600"
            ) from None
        if value > 0:
            return value
    return DEFAULT_MAX_SECONDS


def _describe(source: AudioSource) -> tuple[str, str]:
    """(name for messages, lower-case extension or '')."""
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        return p.name, p.suffix.lower()
    name = getattr(source, "name", None)
    if isinstance(name, str) and name:
        return Path(name).name, Path(name).suffix.lower()
    return "recording", ""


def _format_seconds(seconds: float) -> str:
    seconds = float(seconds)
    if seconds >= 60:
        m, s = divmod(round(seconds), 60)
        return f"{m} min {s:02d} s"
    return f"{seconds:.1f} s"


def _open_input(source: AudioSource, name: str) -> tuple[Union[str, BinaryIO], int | None]:
    """Return something ``av.open`` accepts, plus its size in bytes when known."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return io.BytesIO(data), len(data)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise AudioError(f"audio file not found: {path}; check the path and try again")
        if path.is_dir():
            raise AudioError(f"{path} is a folder, not an audio file; pass a recording file")
        return str(path), path.stat().st_size
    if hasattr(source, "read"):
        # Streamlit's UploadedFile and other file objects: read them whole (they are small).
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        data = source.read()
        if isinstance(data, str):
            raise AudioError(f"{name} was opened as text; open audio in binary mode ('rb')")
        return io.BytesIO(data), len(data)
    raise AudioError(
        f"cannot read audio from a {type(source).__name__}; pass a file path or the file's bytes"
    )


def decode_audio(source: AudioSource, max_seconds: float | None = None) -> np.ndarray:
    """Decode ``source`` to 16 kHz mono float32 samples with PyAV.

    Stops with :class:`AudioError` as soon as the decoded audio passes ``max_seconds`` (so an
    hour-long file is not decoded whole). Raises :class:`AudioError` for empty, corrupt or
    unsupported input.
    """
    import av  # imported here so that importing this module stays cheap

    name, ext = _describe(source)
    media, size = _open_input(source, name)
    if size == 0:
        raise AudioError(f"{name} is empty (0 bytes): record the answer again or pick another file")
    limit = max_seconds if max_seconds is not None else default_max_seconds()

    def unreadable(exc: Exception) -> AudioError:
        if ext and ext not in SUPPORTED_EXTENSIONS:
            return AudioError(
                f"{name}: unsupported format '{ext}' ({_short(exc)}); "
                f"use a {SUPPORTED_FORMATS_TEXT} file"
            )
        return AudioError(
            f"{name} could not be decoded; the file is corrupt or not audio ({_short(exc)}). "
            f"Record it again or export it as {SUPPORTED_FORMATS_TEXT}"
        )

    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(media, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(
                    f"{name} has no audio track (unsupported format); "
                    f"use a {SUPPORTED_FORMATS_TEXT} file"
                )
            stream = container.streams.audio[0]
            declared = _declared_seconds(container, stream)
            if declared is not None and declared > limit + 1:
                raise _too_long(name, declared, limit)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            try:
                for frame in _frames(container.decode(stream)):
                    for out in resampler.resample(frame):
                        arr = out.to_ndarray().reshape(-1)
                        chunks.append(arr)
                        total += arr.size
                    if total > (limit + 1) * SAMPLE_RATE:
                        raise _too_long(name, total / SAMPLE_RATE, limit, at_least=True)
                for out in resampler.resample(None):
                    arr = out.to_ndarray().reshape(-1)
                    chunks.append(arr)
                    total += arr.size
            finally:
                del resampler
                gc.collect()  # PyAV resamplers hold native buffers (faster-whisper issue 390)
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, EOFError) as exc:
        raise unreadable(exc) from None
    if total == 0:
        raise AudioError(
            f"{name} contains no audio (zero length): record the answer again or pick another file"
        )
    samples = np.concatenate(chunks).astype(np.float32, copy=False)
    if not np.all(np.isfinite(samples)):
        samples = np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0)
    if samples.size > limit * SAMPLE_RATE + SAMPLE_RATE // 10:
        raise _too_long(name, samples.size / SAMPLE_RATE, limit)
    return samples


def _frames(frames):
    """Skip frames FFmpeg cannot decode in the middle of a stream (as faster-whisper does)."""
    import av

    iterator = iter(frames)
    yielded = False
    while True:
        try:
            frame = next(iterator)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            if not yielded:
                raise
            continue
        yielded = True
        yield frame


def _declared_seconds(container, stream) -> float | None:
    try:
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / 1_000_000
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None


def _too_long(name: str, seconds: float, limit: float, at_least: bool = False) -> AudioError:
    length = ("more than " if at_least else "") + _format_seconds(seconds)
    return AudioError(
        f"{name} is too long ({length}; the limit is {_format_seconds(limit)}): "
        "trim it or record a shorter answer (the limit is set by INTERVIEW_MAX_SECONDS)"
    )


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    # PyAV messages end with the file name or "<none>"; keep the cause only
    for sep in (": '", ": \"", "; last error"):
        if sep in text:
            text = text.split(sep)[0]
    return text[:120] or type(exc).__name__


def speech_regions(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[tuple[float, float]]:
    """Speech regions (start, end) in seconds, from the Silero VAD bundled with faster-whisper."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if samples.size == 0:
        return []
    options = VadOptions(min_speech_duration_ms=100, min_silence_duration_ms=500, speech_pad_ms=100)
    chunks = get_speech_timestamps(samples, options, sampling_rate=sample_rate)
    return [(c["start"] / sample_rate, c["end"] / sample_rate) for c in chunks]


def analyse(samples: np.ndarray, *, name: str = "recording", check_speech: bool = True) -> AudioClip:
    """Measure levels of decoded 16 kHz mono samples and check there is speech."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    if samples.size == 0:
        raise AudioError(f"{name} contains no audio (zero length): record the answer again")
    magnitude = np.abs(samples)
    peak = float(magnitude.max())
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    clipped = float(np.count_nonzero(magnitude >= CLIP_LEVEL) / samples.size)
    clip = AudioClip(
        samples=samples, sample_rate=SAMPLE_RATE, duration=samples.size / SAMPLE_RATE,
        peak=peak, rms=rms, clipped_fraction=clipped, name=name,
    )
    if clipped > CLIP_WARN_FRACTION:
        clip.warnings.append(
            f"the recording is clipped ({clipped:.1%} of samples at full scale): the input level "
            "is too high, so words may be misheard; lower the microphone gain or move back"
        )
    if check_speech:
        no_speech = AudioError(
            f"no speech detected in {name} ({_format_seconds(clip.duration)} of silence or "
            "background noise): check the microphone is selected and unmuted, then record again"
        )
        if rms < SILENCE_RMS:
            raise no_speech
        regions = speech_regions(samples)
        clip.speech = regions
        clip.speech_seconds = float(sum(end - start for start, end in regions))
        if clip.speech_seconds < MIN_SPEECH_SECONDS:
            _quiet_speech(clip, no_speech)
    return clip


def _quiet_speech(clip: AudioClip, no_speech: AudioError) -> None:
    """The VAD found no speech: if the recording is quiet, look again louder.

    A whisper or a distant voice can be too faint for the VAD at its recorded level. When the
    level is low, the samples are amplified and the VAD runs again: speech found then is
    transcribed from the amplified samples, with a warning. Quiet sound that still has the
    rhythm of speech (whispering has no voice pitch, so the VAD may never accept it) gets a
    message that says so instead of "no speech detected". Anything else is no speech.
    """
    if clip.rms >= QUIET_RMS:
        raise no_speech
    level = f"{clip.rms_dbfs:.0f} dBFS"
    gain = min(BOOST_PEAK / max(clip.peak, 1e-9), MAX_BOOST)
    if gain > 1.5:
        boosted = np.clip(clip.samples * np.float32(gain), -1.0, 1.0)
        regions = speech_regions(boosted)
        seconds = float(sum(end - start for start, end in regions))
        if seconds >= MIN_SPEECH_SECONDS:
            clip.samples, clip.speech, clip.speech_seconds = boosted, regions, seconds
            clip.warnings.append(
                f"the recording is very quiet ({level}), like a whisper or a distant voice: it was "
                "amplified to transcribe it, so words may be misheard; speak in your normal voice, "
                "closer to the microphone, or raise its input level"
            )
            return
    if voice_like(clip.samples):
        raise AudioError(
            f"{clip.name} is too quiet to transcribe ({level}): it sounds like whispering or a voice "
            "far from the microphone. Speak in your normal voice, close to the microphone (or raise "
            "its input level in the system's sound settings), then record again"
        )
    raise no_speech


def voice_like(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bool:
    """Whether sound has the rhythm of speech, whatever its level and whether voiced or whispered.

    Speech energy in the 300-4000 Hz band rises and falls with the syllables (a spread of well
    over 12 dB between loud and quiet 25 ms frames) and is active for a good part of the
    recording, but not all of it; steady noise and hum barely vary, and a click is too short.
    """
    frame, hop = int(0.025 * sample_rate), int(0.010 * sample_rate)
    if samples.size < frame * 10:
        return False
    frames = np.lib.stride_tricks.sliding_window_view(samples, frame)[::hop] * np.hanning(frame)
    spectrum = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(frame, 1 / sample_rate)
    band = spectrum[:, (freqs >= 300) & (freqs <= 4000)].sum(axis=1)
    energy = 10 * np.log10(band + 1e-20)
    floor, top = np.percentile(energy, 10), np.percentile(energy, 95)
    if top - floor < 12:
        return False
    active = energy > floor + 0.5 * (top - floor)
    active_seconds = active.sum() * hop / sample_rate
    return 0.1 <= active.mean() <= 0.95 and active_seconds >= 0.5


def load_audio(
    source: AudioSource, max_seconds: float | None = None, *, check_speech: bool = True,
) -> AudioClip:
    """Decode and check a recording: a path, bytes, or binary file object.

    ``max_seconds`` defaults to :func:`default_max_seconds` (600, or env
    ``INTERVIEW_MAX_SECONDS``). With ``check_speech`` (the default) a recording in which the
    VAD finds no speech raises ``AudioError("no speech detected ...")``.
    """
    if isinstance(source, AudioClip):
        return source
    name, _ = _describe(source)
    samples = decode_audio(source, max_seconds=max_seconds)
    return analyse(samples, name=name, check_speech=check_speech)


def save_wav(path: str | os.PathLike, samples: np.ndarray, sample_rate: int = SAMPLE_RATE,
             channels: int = 1) -> Path:
    """Write float samples in [-1, 1] as 16-bit PCM WAV with the stdlib ``wave`` module."""
    import wave

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(int(sample_rate))
        wav.writeframes(pcm.tobytes())
    return path
