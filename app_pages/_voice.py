"""The interviewer's voice: the question read aloud by the browser, with a local voice only.

A small Streamlit component (``interview/web/voice/``, plain HTML and JavaScript shipped in
the package) speaks the question with ``speechSynthesis``, choosing only voices installed on
this computer (``voice.localService``): nothing is sent to an online voice. Without such a
voice it says so; the question is always shown on the page as well.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

import interview

BUILD_DIR = Path(interview.__file__).resolve().parent / "web" / "voice"

_component = components.declare_component("interviewer_voice", path=str(BUILD_DIR))

#: the voice's language for each country's programs
LANGS = {"us": "en-US", "ca": "en-CA"}


def voice(text: str, key: str, *, country: str | None = None, enabled: bool = True) -> None:
    """Read ``text`` aloud once per ``key`` (a new key: a new question), if ``enabled``."""
    _component(text=text, question_key=key, lang=LANGS.get(country or "", "en-US"),
               enabled=enabled, key=f"voice:{key}",
               default=None)
