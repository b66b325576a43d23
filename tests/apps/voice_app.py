"""A one-question page for the browser test of the interviewer's voice (tests/test_voice_browser.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app_pages._voice import voice  # noqa: E402

QUESTION = "Tell me about a time you disagreed with a senior colleague."
st.markdown(f"### {QUESTION}")
voice(QUESTION, "q1", country="ca")
