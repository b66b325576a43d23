"""Reports: pick a session, preview its report, download it as HTML (prints to PDF from the
browser), Markdown or JSON, or as an export zip (rows, recordings and report) to share
without a server (`python -m interview import FILE.zip` on the other machine).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app_pages import _access, _ui
from interview.errors import InterviewError
from interview.reports import build_report, render_html, render_json, render_markdown
from interview.sharing import export_session

st.title("Reports")

store = _access.current().store  # only the sessions this viewer may see

sessions = store.list_sessions()
if not sessions:
    st.info("No sessions yet. Practise a session first, or import one "
            "(`python -m interview import FILE.zip`).", icon=":material/info:")
    st.stop()


def _label(s) -> str:
    when = s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else ""
    return (f"{when} · {s.applicant_name or 'no applicant'} · {s.program_name or 'no program'}"
            f" · #{s.id[:8]}")


labels = {s.id: _label(s) for s in sessions}
ids = list(labels)
wanted = st.session_state.get("reports_session_id")
session_id = st.selectbox("Session", ids, index=ids.index(wanted) if wanted in ids else 0,
                          format_func=labels.get, key="reports_pick")
st.session_state["reports_session_id"] = session_id
include_audio = st.checkbox("Embed the recordings in the HTML report", key="reports_audio",
                            help="Makes the file larger; the players are hidden when printing.")

try:
    report = build_report(store, session_id)
    html = render_html(report, include_audio=include_audio)
    markdown = render_markdown(report)
    as_json = render_json(report)
except InterviewError as exc:
    _ui.show_error(exc, "The report cannot be made")
    st.stop()

stem = f"report-{(report.applicant.get('name') or 'session').replace(' ', '_')}-{session_id[:8]}"
c1, c2, c3 = st.columns(3)
c1.download_button("Download HTML", html, file_name=f"{stem}.html", mime="text/html",
                   key="reports_dl_html", icon=":material/download:")
c2.download_button("Download Markdown", markdown, file_name=f"{stem}.md", mime="text/markdown",
                   key="reports_dl_md", icon=":material/download:")
c3.download_button("Download JSON", as_json, file_name=f"{stem}.json",
                   mime="application/json", key="reports_dl_json", icon=":material/download:")

st.markdown("#### Share without a server")
st.caption("The export zip holds the session's rows, its recordings and this report. On the "
           "coach's machine: `python -m interview import FILE.zip`.")
if st.button("Prepare export zip", key="reports_export"):
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = export_session(store, session_id, Path(tmp) / f"session-{session_id}.zip")
            st.session_state["reports_zip"] = (session_id, path.read_bytes())
    except InterviewError as exc:
        _ui.show_error(exc, "Export failed")
prepared = st.session_state.get("reports_zip")
if prepared and prepared[0] == session_id:
    st.download_button("Download export zip", prepared[1], file_name=f"session-{session_id}.zip",
                       mime="application/zip", key="reports_dl_zip", icon=":material/folder_zip:")

tab_html, tab_md = st.tabs(["Preview", "Markdown"])
with tab_html:
    # the report is autoescaped (a transcript's <script> is text), so it can be framed
    st.iframe(html, height=900)
with tab_md:
    st.code(markdown, language="markdown")
