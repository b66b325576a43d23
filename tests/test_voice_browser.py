"""The interviewer's voice in headless Chromium: only a voice on this computer is used.

Chromium in CI has no text-to-speech engine installed, so the browser's list of voices is
the one thing faked (an init script in every frame), at the narrowest point: a network
voice (``localService: false``) and, in one case, a local one. The component's own code
chooses among them and speaks through the (recorded) ``speechSynthesis.speak``.
"""

from __future__ import annotations

import json

import pytest

from browser import chromium, open_page, page_server
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = ROOT / "tests" / "apps" / "voice_app.py"
QUESTION = "Tell me about a time you disagreed with a senior colleague."

FAKE_VOICES = """
(() => {
  const voices = %s;
  window.__spoken = [];
  const synth = {
    getVoices: () => voices,
    addEventListener: () => {},
    cancel: () => {},
    speak: (u) => {
      window.__spoken.push({text: u.text, voice: u.voice && u.voice.name, lang: u.lang});
      setTimeout(() => { u.onstart && u.onstart(); setTimeout(() => u.onend && u.onend(), 50); }, 10);
    },
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  // the real utterance accepts only the browser's own voice objects
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();
"""


@pytest.fixture
def server(tmp_path, data_dir):
    with page_server(APP, tmp_path, data_dir) as url:
        yield url


def _run(url: str, voices: list[dict]) -> tuple[str, list[dict]]:
    from playwright.sync_api import expect

    with chromium() as browser:
        page = open_page(browser, url, timeout=30_000,
                         init_script=FAKE_VOICES % json.dumps(voices))
        expect(page.get_by_text(QUESTION)).to_be_visible()  # the text shows
        status = page.frame_locator("iframe").first.get_by_role("status")
        expect(status).not_to_be_empty()
        page.wait_for_timeout(500)
        text = status.inner_text()
        frame = next(f for f in page.frames if f != page.main_frame)
        spoken = frame.evaluate("window.__spoken")
    return text, spoken


NETWORK = {"name": "Online English", "lang": "en-CA", "localService": False, "default": True}
LOCAL = {"name": "Local English", "lang": "en-US", "localService": True, "default": False}


def test_the_question_is_read_with_a_local_voice_never_a_network_one(server):
    status, spoken = _run(server, [NETWORK, LOCAL])
    assert spoken == [{"text": QUESTION, "voice": "Local English", "lang": "en-US"}]
    assert "Local English" in status and "on this computer" in status


def test_with_only_a_network_voice_nothing_is_spoken(server):
    status, spoken = _run(server, [NETWORK])
    assert spoken == []
    assert "No voice is installed on this computer" in status
