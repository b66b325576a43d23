"""Local microphone recording. CI has no microphone, so only sounddevice's device list and
input stream are faked (at the sounddevice boundary); everything after - level meter, WAV
writing, decoding and real transcription of what was "recorded" - is real."""

from __future__ import annotations

import ctypes.util
import sys
import threading
import time
import wave

import numpy as np
import pytest

from interview import cli
from interview.audio import load_audio
from interview.errors import AudioError
from interview.record import InputDevice, Level, MicrophoneUnavailable, choose_device, list_input_devices, record

from conftest import FIXTURES, portaudio_sounddevice

DEVICES = [
    {"name": "HDA Intel PCH: ALC3246 Analog", "index": 0, "hostapi": 0, "max_input_channels": 2,
     "max_output_channels": 2, "default_samplerate": 48000.0},
    {"name": "HDMI output", "index": 1, "hostapi": 0, "max_input_channels": 0,
     "max_output_channels": 8, "default_samplerate": 48000.0},
    {"name": "USB headset microphone", "index": 2, "hostapi": 0, "max_input_channels": 1,
     "max_output_channels": 0, "default_samplerate": 16000.0},
]


class FakeInputStream:
    """Stands in for sounddevice.InputStream: plays ``signal`` (frames x channels) into the
    callback in real-sized blocks, faster than real time, from its own thread."""

    signal: np.ndarray = np.zeros((0, 1), dtype=np.float32)
    opened: list[dict] = []

    def __init__(self, *, samplerate, channels, dtype, device, blocksize, callback):
        self.kwargs = dict(samplerate=samplerate, channels=channels, dtype=dtype, device=device, blocksize=blocksize)
        FakeInputStream.opened.append(self.kwargs)
        self.callback, self.blocksize, self.channels = callback, blocksize, channels
        self._stop = threading.Event()

    def _run(self):
        sig = self.signal
        if sig.shape[1] != self.channels:
            sig = np.repeat(sig[:, :1], self.channels, axis=1)
        for i in range(0, len(sig), self.blocksize):
            if self._stop.is_set():
                return
            block = sig[i:i + self.blocksize]
            self.callback(block, len(block), None, None)
            time.sleep(0.002)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture
def sounddevice():
    """The real sounddevice module, imported as the recorder imports it (skips without PortAudio)."""
    return portaudio_sounddevice()


@pytest.fixture
def fake_mic(sounddevice, monkeypatch):
    """Four-line boundary: the device list, host APIs, default device and the input stream."""
    monkeypatch.setattr(sounddevice, "query_devices", lambda *a, **k: [dict(d) for d in DEVICES])
    monkeypatch.setattr(sounddevice, "query_hostapis", lambda *a, **k: ({"name": "ALSA"},))
    monkeypatch.setattr(sounddevice.default, "device", [2, 1])
    monkeypatch.setattr(sounddevice, "InputStream", FakeInputStream)
    FakeInputStream.opened = []
    FakeInputStream.signal = np.zeros((0, 1), dtype=np.float32)
    return FakeInputStream


def speech_at(rate: int) -> np.ndarray:
    """The answer fixture, resampled to ``rate`` as a (frames, 1) block stream."""
    samples = load_audio(FIXTURES / "answer.wav").samples
    n = int(len(samples) * rate / 16000)
    return np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)), samples).astype(np.float32)[:, None]


def test_lists_input_devices_only_and_marks_the_default(fake_mic):
    devices = list_input_devices()
    assert [d.index for d in devices] == [0, 2]
    assert [d.is_default for d in devices] == [False, True]
    assert devices[0] == InputDevice(0, "HDA Intel PCH: ALC3246 Analog", 2, 48000.0, "ALSA", False)
    assert str(devices[1]).startswith("*  2  USB headset microphone (1 ch, 16000 Hz")


def test_choose_device_by_default_index_or_name(fake_mic):
    assert choose_device().index == 2
    assert choose_device(0).index == 0
    assert choose_device("2").name == "USB headset microphone"
    assert choose_device("alc3246").index == 0
    with pytest.raises(AudioError, match="no input device '1'.*0: HDA Intel"):
        choose_device(1)  # an output-only device
    with pytest.raises(AudioError, match="no input device 'webcam'"):
        choose_device("webcam")


def test_record_stops_at_the_time_limit_and_writes_a_wav(fake_mic, tmp_path):
    fake_mic.signal = speech_at(48000)
    levels: list[Level] = []
    path = record(seconds=3, device=0, path=tmp_path / "take.wav", on_level=levels.append)
    assert fake_mic.opened == [dict(samplerate=48000, channels=1, dtype="float32", device=0, blocksize=4800)]
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 48000)
        assert w.getnframes() == 3 * 48000
    assert levels and all(isinstance(x, Level) for x in levels)
    assert levels[-1].seconds == pytest.approx(3.0, abs=0.11)
    assert max(x.rms for x in levels) > 0.05 and max(x.dbfs for x in levels) > -30
    assert [round(x.seconds, 1) for x in levels] == sorted(round(x.seconds, 1) for x in levels)


def test_recorded_speech_is_transcribed(fake_mic, tmp_path):
    from interview.transcribe import get_transcriber

    fake_mic.signal = speech_at(16000)  # the USB headset records at 16 kHz
    stop = threading.Event()
    path = record(seconds=60, device="USB", path=tmp_path / "answer.wav", stop_event=stop,
                  on_level=lambda lv: stop.set() if lv.seconds >= 8.0 else None)
    clip = load_audio(path)
    assert clip.duration == pytest.approx(8.0, abs=0.11)
    text = get_transcriber().transcribe(clip).text.lower()
    assert "internal medicine" in text and "how the team works" in text


def test_a_device_that_stops_delivering_ends_the_recording(fake_mic, tmp_path, monkeypatch):
    """An unplugged microphone must not hang the recorder: what was recorded is kept."""
    monkeypatch.setattr("interview.record.STALL_SECONDS", 0.3)
    fake_mic.signal = speech_at(16000)[:16000]  # one second, then nothing
    path = record(seconds=60, path=tmp_path / "x.wav")
    with wave.open(str(path)) as w:
        assert w.getnframes() == 16000


def test_stop_event_ends_recording_early(fake_mic, tmp_path):
    fake_mic.signal = speech_at(16000)
    stop = threading.Event()
    path = record(seconds=None, stop_event=stop, path=tmp_path / "x.wav",
                  on_level=lambda lv: stop.set() if lv.seconds >= 1.0 else None)
    with wave.open(str(path)) as w:
        assert w.getframerate() == 16000
        assert 1.0 <= w.getnframes() / 16000 < 2.0


def test_nothing_recorded_is_an_error(fake_mic, tmp_path, monkeypatch):
    monkeypatch.setattr("interview.record.STALL_SECONDS", 0.2)
    with pytest.raises(AudioError, match="nothing was recorded"):
        record(seconds=5, path=tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_no_input_device_says_how_to_record_instead(fake_mic, sounddevice, monkeypatch):
    monkeypatch.setattr(sounddevice, "query_devices", lambda *a, **k: [dict(DEVICES[1])])
    assert list_input_devices() == []
    with pytest.raises(MicrophoneUnavailable, match="no microphone.*browser.*upload"):
        record(seconds=1)


def test_device_that_cannot_open_is_unavailable(fake_mic, sounddevice, monkeypatch):
    def refuse(**kwargs):
        raise sounddevice.PortAudioError("Device unavailable", -9985)

    monkeypatch.setattr(sounddevice, "InputStream", refuse)
    with pytest.raises(MicrophoneUnavailable, match="cannot open input device 2.*Device unavailable"):
        record(seconds=1)


def test_missing_portaudio_gives_a_clear_message(monkeypatch):
    """Re-import the real sounddevice with no PortAudio library findable: it raises OSError.
    Runs with or without PortAudio installed."""
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    with pytest.raises(MicrophoneUnavailable, match="PortAudio library is missing.*libportaudio2.*browser"):
        list_input_devices()


def test_level_meter():
    assert Level(0.0, 0.0, 0.0).meter(10) == "[----------] "
    assert Level(1.0, 1.0, 0.0).meter(10) == "[##########]!"
    assert Level(0.01, 0.02, 0.0).dbfs == pytest.approx(-40.0)
    assert Level(0.01, 0.02, 0.0).meter(30).count("#") == 10


def test_record_cli(fake_mic, tmp_path, capsys):
    assert cli.main(["record", "--list-devices"]) == 0
    out = capsys.readouterr().out
    assert "USB headset microphone" in out and "HDMI" not in out
    fake_mic.signal = speech_at(16000)
    target = tmp_path / "cli.wav"
    assert cli.main(["record", "--seconds", "2", "--device", "2", "-o", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    with wave.open(str(target)) as w:
        assert w.getnframes() == 2 * 16000


def test_record_cli_without_devices_fails_cleanly(fake_mic, sounddevice, monkeypatch, capsys):
    monkeypatch.setattr(sounddevice, "query_devices", lambda *a, **k: [])
    assert cli.main(["record", "--seconds", "1", "-o", "x.wav"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no microphone") and err.count("\n") == 1
