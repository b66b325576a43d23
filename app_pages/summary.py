"""Session summary: each criterion across the answers, strongest and weakest answers, the
top three things to work on, delivery averages, and the way to the report and the emails."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages import _access, _ui
from interview.errors import InterviewError

st.title("Session summary")

PAGES = Path(__file__).resolve().parent

store = _access.current().store  # only the sessions this viewer may see
try:
    sessions = store.list_sessions(limit=200)
except InterviewError as exc:
    _ui.show_error(exc, "The sessions cannot be listed")
    st.stop()

if not sessions:
    st.info("No sessions yet. Practise first; the summary appears here.")
    st.page_link("app_pages/practice.py", label="Practise now", icon=":material/mic:")
    st.stop()

by_id = {s.id: s for s in sessions}
# Another page (Practice, History) asks for a session with "summary_request"; otherwise the
# last choice stays, or the active session, or the newest.
state = st.session_state
requested = state.pop("summary_request", None)
if requested in by_id:
    state["summary_choice"] = requested
elif state.get("summary_choice") not in by_id:
    active = state.get("active_session_id")
    state["summary_choice"] = active if active in by_id else sessions[0].id


def _label(sid: str) -> str:
    s = by_id[sid]
    when = s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else ""
    return f"{when} · {s.program_name or 'no program'} · {s.applicant_name or 'no name'} · #{sid[:6]}"


sid = st.selectbox("Session", list(by_id), format_func=_label, key="summary_choice")

from interview.summary import summarise_session  # noqa: E402

session = store.get_session(sid)
summary = summarise_session(session)

c1, c2, c3 = st.columns(3)
c1.metric("Overall", f"{summary.overall:.1f} / 5" if summary.overall is not None else "-")
c2.metric("Answers scored", f"{summary.scored} of {len(session.questions)}")
c3.metric("Failed (can be retried)", summary.failed)

if not summary.scored:
    st.info("No scored answers in this session yet. Answer a question (or retry a failed "
            "one from Practice) to see the summary.")
    st.stop()

st.subheader("Top three things to work on")
for i, item in enumerate(summary.work_on, 1):
    st.markdown(f"**{i}. {item.name}** ({item.mean:.1f} / 5): {item.tip}")

st.subheader("Scores per criterion")
st.dataframe(
    [{"Criterion": c.name, "Mean": c.mean, "Lowest": c.lowest, "Highest": c.highest,
      "Answers": c.count} for c in summary.criteria],
    hide_index=True, width="stretch",
    column_config={"Mean": st.column_config.ProgressColumn(min_value=0, max_value=5,
                                                           format="%.1f"),
                   "Lowest": st.column_config.NumberColumn(format="%.1f"),
                   "Highest": st.column_config.NumberColumn(format="%.1f")},
)

c1, c2 = st.columns(2)
if summary.strongest:
    with c1.container(border=True):
        st.markdown(f"**Strongest answer** ({summary.strongest.overall:.1f} / 5)")
        st.caption(f"Q{summary.strongest.position}. {summary.strongest.question}")
if summary.weakest and (not summary.strongest or summary.weakest.answer_id
                        != summary.strongest.answer_id):
    with c2.container(border=True):
        st.markdown(f"**Weakest answer** ({summary.weakest.overall:.1f} / 5)")
        st.caption(f"Q{summary.weakest.position}. {summary.weakest.question}")

d = summary.delivery
st.subheader("Delivery")
c1, c2, c3 = st.columns(3)
c1.metric("Speaking rate", f"{d.words_per_minute:.0f} wpm" if d.words_per_minute else "-")
c2.metric("Fillers per minute", f"{d.fillers_per_minute:.1f}"
          if d.fillers_per_minute is not None else "-")
c3.metric("Longest pause", f"{d.longest_pause:.1f} s" if d.longest_pause is not None else "-")

st.subheader("Next")
for name, label, icon in (("reports", "Session report (HTML, Markdown, JSON)", ":material/description:"),
                          ("emails", "Draft thank-you emails", ":material/mail:")):
    if (PAGES / f"{name}.py").is_file():
        st.page_link(f"app_pages/{name}.py", label=label, icon=icon)
