"""History: every past session, newest first; reopen one to continue or to see its summary."""

from __future__ import annotations

import streamlit as st

from app_pages import _flow, _ui
from interview.errors import InterviewError
from interview.formats import FORMATS

st.title("History")

try:
    store = _ui.get_store()
    sessions = store.list_sessions()
except InterviewError as exc:
    _ui.show_error(exc, "The sessions cannot be listed")
    st.stop()

if not sessions:
    st.info("No sessions yet. Start one on the Practice page.")
    st.page_link("app_pages/practice.py", label="Practise now", icon=":material/mic:")
    st.stop()

rows = []
for s in sessions:
    answered = sum(1 for a in s.answers)
    rows.append({
        "Date": s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else "",
        "Applicant": s.applicant_name,
        "Program": s.program_name,
        "Format": FORMATS[s.format_id].label if s.format_id in FORMATS else s.format_id,
        "Answered": f"{answered} / {len(s.questions)}",
        "Overall": s.overall,
        "Reviewed": "yes" if s.reviewed else "",
    })
st.dataframe(rows, hide_index=True, width="stretch",
             column_config={"Overall": st.column_config.NumberColumn(format="%.1f")})

by_id = {s.id: s for s in sessions}


def _label(sid: str) -> str:
    s = by_id[sid]
    when = s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else ""
    score = f" · {s.overall:.1f}/5" if s.overall is not None else ""
    return (f"{when} · {s.program_name or 'no program'} · {s.applicant_name or 'no name'}"
            f"{score} · #{sid[:6]}")


chosen = st.selectbox("Session", list(by_id), format_func=_label, key="history_choice")
c1, c2, _ = st.columns([1, 1, 3])
if c1.button("Reopen", type="primary", key="reopen", icon=":material/open_in_new:"):
    sess = by_id[chosen]
    unanswered = [i + 1 for i in range(len(sess.questions)) if sess.answer_at(i + 1) is None]
    _flow.open_session(chosen, unanswered[0] if unanswered else len(sess.questions) + 1)
    st.switch_page("app_pages/practice.py")
if c2.button("Summary", key="history_summary", icon=":material/summarize:"):
    st.session_state["summary_request"] = chosen
    st.switch_page("app_pages/summary.py")
