"""Record an answer from a local microphone with sounddevice (PortAudio) and save it as WAV.

Used by ``python -m interview record`` and available to the app. The browser recorder
(``st.audio_input``) needs none of this; this module is for a local, terminal workflow.

- :func:`list_input_devices` / :func:`choose_device`: what can record, by index or name.
- :func:`record`: record until ``seconds`` pass or ``stop_event`` is set (the CLI sets it
  when Enter is pressed), reporting the input level to ``on_level`` as it goes, then write
  a 16-bit WAV with the stdlib ``wave`` module.

Without PortAudio (``import sounddevice`` raises ``OSError``) or without an input device,
:class:`MicrophoneUnavailable` says so and how to record instead.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .audio import save_wav
from .errors import AudioError

#: how often (seconds) the level callback fires and the stop flag is checked
BLOCK_SECONDS = 0.1
DEFAULT_SECONDS = 120.0
#: stop when the device has delivered nothing for this long (unplugged, suspended)
STALL_SECONDS = 2.0

HOW_ELSE = ("record in the browser (the app's Record button) or upload a WAV/MP3/M4A file "
            "recorded with another program")


class MicrophoneUnavailable(AudioError):
    """No PortAudio library or no usable input device on this machine."""


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_samplerate: float
    hostapi: str = ""
    is_default: bool = False

    def __str__(self) -> str:
        mark = "*" if self.is_default else " "
        api = f", {self.hostapi}" if self.hostapi else ""
        return f"{mark} {self.index:>2}  {self.name} ({self.channels} ch, {self.default_samplerate:.0f} Hz{api})"


@dataclass(frozen=True)
class Level:
    """Input level of one block: linear RMS and peak in [0, 1], and RMS in dBFS."""

    rms: float
    peak: float
    seconds: float

    @property
    def dbfs(self) -> float:
        return float(20 * np.log10(self.rms)) if self.rms > 0 else -120.0

    def meter(self, width: int = 30) -> str:
        """A text level meter: -60 dBFS empty, 0 dBFS full; '!' when the block clips."""
        filled = int(round(width * min(max((self.dbfs + 60) / 60, 0.0), 1.0)))
        return "[" + "#" * filled + "-" * (width - filled) + "]" + ("!" if self.peak >= 0.99 else " ")


def _sounddevice():
    """Import sounddevice, turning a missing PortAudio into a clear error."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio is not installed
        raise MicrophoneUnavailable(
            f"the local microphone cannot be used: the PortAudio library is missing ({exc}). "
            f"Install it (Debian/Ubuntu: apt-get install libportaudio2), or {HOW_ELSE}"
        ) from None
    except ImportError:
        raise MicrophoneUnavailable(
            f"the local microphone cannot be used: the sounddevice package is not installed "
            f"(pip install sounddevice), or {HOW_ELSE}"
        ) from None
    return sounddevice


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel (empty when there is none)."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    except Exception as exc:  # PortAudioError when the audio system is unusable
        raise MicrophoneUnavailable(f"the audio system cannot be queried ({exc}); {HOW_ELSE}") from None
    try:
        default_in = int(sd.default.device[0])
    except (TypeError, ValueError, IndexError):
        default_in = -1
    found = []
    for i, d in enumerate(devices):
        if int(d.get("max_input_channels", 0)) < 1:
            continue
        index = int(d.get("index", i))
        api = ""
        try:
            api = hostapis[int(d.get("hostapi", 0))]["name"]
        except (IndexError, KeyError, TypeError, ValueError):
            pass
        found.append(InputDevice(index, str(d.get("name", f"device {index}")), int(d["max_input_channels"]),
                                 float(d.get("default_samplerate", 16000) or 16000), api, index == default_in))
    return found


def choose_device(device: int | str | None = None) -> InputDevice:
    """An input device by index, by (part of its) name, or the default (``None``)."""
    devices = list_input_devices()
    if not devices:
        raise MicrophoneUnavailable(f"no microphone (audio input device) was found on this machine; {HOW_ELSE}")
    if device is None or str(device).strip() == "":
        for d in devices:
            if d.is_default:
                return d
        return devices[0]
    text = str(device).strip()
    if text.lstrip("-").isdigit():
        for d in devices:
            if d.index == int(text):
                return d
    else:
        matches = [d for d in devices if text.lower() in d.name.lower()]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise AudioError(
                f"input device {text!r} is ambiguous ({', '.join(d.name for d in matches)}): "
                "give its number from --list-devices"
            )
    listing = "; ".join(f"{d.index}: {d.name}" for d in devices)
    raise AudioError(f"no input device {text!r}; choose one of: {listing}")


def default_output_path() -> Path:
    """Where a recording goes when no path is given: the data directory's audio folder."""
    try:
        from .paths import audio_dir

        folder = Path(audio_dir())
    except Exception:  # the data directory may be unset in a bare checkout
        folder = Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    return folder / time.strftime("recording-%Y%m%d-%H%M%S.wav")


def record(
    seconds: float | None = DEFAULT_SECONDS, device: int | str | None = None,
    stop_event: threading.Event | None = None, on_level: Callable[[Level], object] | None = None,
    path: str | os.PathLike | None = None, sample_rate: int | None = None, channels: int = 1,
) -> Path:
    """Record from a microphone until ``seconds`` pass or ``stop_event`` is set; save a WAV.

    ``on_level`` is called about 10 times a second with a :class:`Level` (from the caller's
    thread, not PortAudio's). ``sample_rate`` defaults to the device's own rate (the decoder
    resamples later). Returns the WAV path. Raises :class:`MicrophoneUnavailable` without
    PortAudio or a device, and :class:`AudioError` if nothing was recorded.
    """
    sd = _sounddevice()
    dev = choose_device(device)
    rate = int(sample_rate or dev.default_samplerate or 16000)
    channels = max(1, min(int(channels), dev.channels))
    limit = float(seconds) if seconds and seconds > 0 else None
    stop = stop_event or threading.Event()
    blocks: "queue.Queue[np.ndarray]" = queue.Queue()
    status_notes: list[str] = []

    def callback(indata, frames, time_info, status) -> None:  # PortAudio's thread: copy and go
        if status:
            status_notes.append(str(status))
        blocks.put(np.array(indata, dtype=np.float32, copy=True))

    recorded: list[np.ndarray] = []
    total = 0
    try:
        stream = sd.InputStream(samplerate=rate, channels=channels, dtype="float32", device=dev.index,
                                blocksize=int(rate * BLOCK_SECONDS), callback=callback)
    except Exception as exc:  # PortAudioError: device busy, unsupported rate...
        raise MicrophoneUnavailable(f"cannot open input device {dev.index} ({dev.name}): {exc}; {HOW_ELSE}") from None
    with stream:
        last_block = time.monotonic()
        while not stop.is_set():
            if limit is not None and total >= limit * rate:
                break
            try:
                block = blocks.get(timeout=BLOCK_SECONDS)
            except queue.Empty:
                if time.monotonic() - last_block > STALL_SECONDS:
                    break  # the device stopped delivering (unplugged?): keep what was recorded
                continue
            last_block = time.monotonic()
            recorded.append(block)
            total += block.shape[0]
            if on_level is not None:
                on_level(Level(float(np.sqrt(np.mean(np.square(block)))), float(np.abs(block).max(initial=0.0)),
                               total / rate))
    while not blocks.empty():  # blocks that arrived while stopping
        block = blocks.get_nowait()
        recorded.append(block)
        total += block.shape[0]
    if total == 0:
        raise AudioError(f"nothing was recorded from {dev.name}: check the microphone is connected and unmuted")
    data = np.concatenate(recorded, axis=0)
    if limit is not None:
        data = data[: int(limit * rate)]
    mono = data.mean(axis=1) if data.ndim == 2 else data
    return save_wav(path or default_output_path(), mono, sample_rate=rate)
