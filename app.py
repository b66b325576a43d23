"""IMG Interview Coach: the Streamlit entry point (``streamlit run app.py``).

Thin on purpose: page configuration, the access guard and navigation. Every page lives in
``app_pages/``; the shared widgets and cached resources live in ``app_pages/_ui.py``.

The guard (``app_pages/_access.py``) runs once per run, before any page: it decides who is
looking (the local user, or a logged-in applicant, coach or admin in shared mode) and stops
the run with a login button or an explanation when nobody may see anything. Pages get the
viewer and a store bound to them from ``_access.current()``, never the database itself.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="IMG Interview Coach", page_icon=":stethoscope:", layout="wide")

from app_pages import _access, _ui  # noqa: E402  (set_page_config must come first)
from interview.errors import InterviewError  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"


def _page(name: str, title: str, icon: str, default: bool = False) -> st.Page | None:
    """A page from ``app_pages/NAME.py``, or None while that page has not been written."""
    path = PAGES_DIR / f"{name}.py"
    if not path.is_file():
        return None
    return st.Page(str(path), title=title, icon=icon, url_path=name, default=default)


SECTIONS = {
    "Practise": [
        _page("practice", "Practice", ":material/mic:", default=True),
        _page("preflight", "Pre-flight check", ":material/graphic_eq:"),
        _page("camera", "Camera check", ":material/videocam:"),
        _page("summary", "Summary", ":material/summarize:"),
        _page("history", "History", ":material/history:"),
    ],
    "After the interview": [
        _page("emails", "Thank-you emails", ":material/mail:"),
    ],
    "Coach": [
        _page("review", "Review", ":material/rate_review:"),
        _page("progress", "Progress", ":material/trending_up:"),
        _page("reports", "Reports", ":material/description:"),
    ],
    "Settings": [
        _page("settings", "Settings", ":material/settings:"),
    ],
}

# One guard for every page: resolved before navigation, so no page runs without a viewer.
access = _access.resolve()

nav = st.navigation({section: [p for p in pages if p] for section, pages in SECTIONS.items()
                     if any(pages)})
_ui.sidebar_status()
_ui.apply_video_retention_once(access.store)  # "Keep answer videos": due videos go
token = _access.begin(access)
try:
    nav.run()
except InterviewError as exc:  # e.g. the database went away: one line, never a traceback
    _ui.show_error(exc, "This page could not finish")
finally:
    _access.end(token)
    # Once the page is out, load the speech model in the background (once per process), so
    # that it is ready by the first answer without slowing the first page.
    _ui.start_model_loading()
