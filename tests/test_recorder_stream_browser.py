"""The recorder's stream mode in a real headless Chromium with the fake microphone.

A one-question page (``tests/apps/recorder_stream_app.py``) draws ``recorder(stream=True)``
in a fragment, keeps the 16 kHz PCM chunks as they arrive, acknowledges them and sends back
captions counting them. The test records for a few seconds: the captions change while the
applicant is still speaking (chunks reach the server during the answer, not at the end),
and the saved take is as long as the recording, 16 kHz mono, not silent, with no chunk
missing; also where the browser refuses a 16 kHz context (the component resamples), and where
it has no AudioWorklet (the whole take is recorded with MediaRecorder instead).
"""

from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from browser import chromium, open_page, page_server, speech_wav_48k
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = ROOT / "tests" / "apps" / "recorder_stream_app.py"


@pytest.fixture
def out(tmp_path):
    path = tmp_path / "out"
    path.mkdir()
    return path


@pytest.fixture
def server(tmp_path, data_dir, out):
    with page_server(APP, tmp_path, data_dir, RECORDER_OUT=str(out), RECORDER_CHUNK="1") as url:
        yield url


#: a browser whose AudioContext ignores the sample rate asked for (it runs at the device's)
OWN_RATE = """(() => {
  const Native = window.AudioContext;
  if (!Native) { return; }
  window.AudioContext = class extends Native { constructor() { super(); } };
})();"""
#: a browser without AudioWorklet
NO_WORKLET = "delete window.AudioWorkletNode;"


@pytest.mark.parametrize("init_script", [None, OWN_RATE], ids=["16k-context", "resampled"])
def test_a_streamed_answer_arrives_while_recording_and_is_saved_whole(server, tmp_path, out,
                                                                      init_script):
    from playwright.sync_api import expect

    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    with chromium(audio=wav) as browser:
        page = open_page(browser, server, permissions=["microphone"], init_script=init_script)
        frame = page.frame_locator("iframe").first
        frame.get_by_role("button", name="Record", exact=True).click()
        stop = frame.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible()
        rate = frame.locator("#recorder").get_attribute("data-capture-rate")
        assert (rate == "16000") == (init_script is None), rate
        captions = frame.locator("#captions")
        # chunks reach the server while recording: the captions it sends back show and change
        expect(captions).to_contain_text("received", timeout=15_000)
        first = captions.inner_text()
        page.wait_for_timeout(4_000)
        later = captions.inner_text()
        assert later.startswith("received") and later != first, (first, later)
        expect(frame.locator("#pace")).to_contain_text("words per minute")
        expect(stop).to_be_visible()  # still recording
        page.wait_for_timeout(2_000)
        stop.click()
        saved = page.get_by_text("Take saved")
        expect(saved).to_be_visible(timeout=60_000)
        message = saved.inner_text()
        # the captions stay after the take, until the next one
        expect(captions).to_be_visible()

    note = json.loads((out / "take.json").read_text())
    seqs = note["seqs"]
    assert seqs == list(range(len(seqs))), seqs
    used = note["answer_seconds"]
    assert used is not None and 6 <= used <= 20, note
    assert note["started_at"] and not note["timed_out"]
    with wave.open(str(out / "take.wav")) as w:
        assert w.getnchannels() == 1 and w.getframerate() == 16000 and w.getsampwidth() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    duration = len(pcm) / 16000
    assert abs(duration - used) <= 1.5, (duration, used, message)
    # chunks of 1 s: about one per second of audio, the last one shorter
    assert len(seqs) - 1 <= duration <= len(seqs) + 0.01, (len(seqs), duration)
    rms = float(np.sqrt(np.mean(pcm ** 2)))
    assert rms > 0.005, rms


def test_without_audio_worklet_the_whole_take_is_recorded(server, tmp_path, out):
    from playwright.sync_api import expect

    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    with chromium(audio=wav) as browser:
        page = open_page(browser, server, permissions=["microphone"], init_script=NO_WORKLET)
        frame = page.frame_locator("iframe").first
        frame.get_by_role("button", name="Record", exact=True).click()
        stop = frame.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible()
        page.wait_for_timeout(3_000)
        stop.click()
        expect(page.get_by_text("Whole take saved: audio/")).to_be_visible(timeout=60_000)
        expect(frame.locator("#captions")).to_be_hidden()
    (audio,) = [p for p in out.iterdir() if p.name.startswith("recording")]
    assert audio.stat().st_size > 1000
    assert not (out / "take.wav").exists()


def test_a_timed_streamed_answer_starts_and_stops_by_itself(tmp_path, data_dir, out):
    """SVI style: the read timer ends, recording starts without a click, the recorder stops
    itself at the limit, and the streamed take is no longer than the limit."""
    from playwright.sync_api import expect

    read, limit = 2, 6
    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    with page_server(APP, tmp_path, data_dir, RECORDER_OUT=str(out), RECORDER_CHUNK="2",
                     RECORDER_READ=str(read), RECORDER_LIMIT=str(limit),
                     RECORDER_WARNING="2") as url, chromium(audio=wav) as browser:
        page = open_page(browser, url, permissions=["microphone"])
        frame = page.frame_locator("iframe").first
        expect(frame.get_by_role("timer")).to_contain_text("Reading time left")
        stop = frame.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible(timeout=read * 1000 + 10_000)
        expect(frame.get_by_role("alert")).to_contain_text("seconds left", timeout=limit * 1000)
        expect(stop).to_be_hidden(timeout=limit * 1000 + 5_000)
        expect(page.get_by_text("Take saved")).to_be_visible(timeout=60_000)

    note = json.loads((out / "take.json").read_text())
    assert note["timed_out"] and note["warned"] and note["answer_limit"] == limit, note
    assert limit - 0.5 <= note["answer_seconds"] <= limit + 0.01, note
    assert read - 0.3 <= note["read_seconds"] <= read + 1.5, note
    assert note["seqs"] == list(range(len(note["seqs"]))), note
    with wave.open(str(out / "take.wav")) as w:
        duration = w.getnframes() / w.getframerate()
    # the audio stops at the limit (the samples past it are not sent)
    assert limit - 1.0 <= duration <= limit + 0.001, duration
