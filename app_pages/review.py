"""Coach review: applicants' sessions with filters, then per answer the recording, the
highlighted transcript, the automatic scores, comments and score overrides (the automatic
score is kept and shown beside the override), and the "reviewed" mark.

Only the sessions the viewer may see are listed (app_pages/_access.py, interview.access).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import streamlit as st

from app_pages import _access, _ui
from interview.access import can_review
from interview.reports import md_escape
from interview.errors import InterviewError, NotFound
from interview.formats import FORMATS

st.title("Coach review")

access = _access.current()
store, viewer = access.store, access.viewer  # every query below is filtered for the viewer

flash = st.session_state.pop("review_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")

if viewer.role == "local":
    st.text_input("Your name as reviewer", key="coach_reviewer_name", placeholder="Coach",
                  help="Signs your comments, overrides and the reviewed mark.")

# ------------------------------------------------------------------------------ filters
applicants = store.list_applicants()
all_sessions = store.list_sessions()
if not all_sessions:
    st.info("No sessions to review yet. Sessions appear here once an applicant practises "
            "(or after `python -m interview import FILE.zip`).", icon=":material/info:")
    st.stop()

ALL = "All"
by_id = {a.id: a for a in applicants}
c1, c2, c3, c4 = st.columns([2, 2, 2, 1.4])
applicant_choice = c1.selectbox(
    "Applicant", [ALL] + [a.id for a in applicants], key="review_applicant",
    format_func=lambda i: i if i == ALL else (by_id[i].name + (f" ({by_id[i].email})" if by_id[i].email else "")),
)
programs = sorted({s.program_name for s in all_sessions if s.program_name})
program_choice = c2.selectbox("Program", [ALL] + programs, key="review_program")
dates = [s.created_at.date() for s in all_sessions if s.created_at]
lo, hi = min(dates), max(dates)
date_range = c3.date_input("Date range", value=(lo, hi), key="review_dates")
status_choice = c4.radio("Status", [ALL, "Not reviewed", "Reviewed"], key="review_status")

filters: dict = {}
if applicant_choice != ALL:
    filters["applicant_id"] = applicant_choice
if status_choice != ALL:
    filters["reviewed"] = status_choice == "Reviewed"
if isinstance(date_range, (list, tuple)) and len(date_range) == 2:
    start, end = date_range
    filters["since"] = datetime.combine(start, time.min, tzinfo=timezone.utc)
    filters["until"] = datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc)
sessions = store.list_sessions(**filters)
if program_choice != ALL:
    sessions = [s for s in sessions if s.program_name == program_choice]


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else ""


st.dataframe(
    [
        {
            "Date": _when(s.created_at),
            "Applicant": s.applicant_name,
            "Program": s.program_name,
            "Format": FORMATS[s.format_id].label if s.format_id in FORMATS else s.format_id,
            "Answers": len(s.answers),
            "Overall": s.overall,
            "Reviewed": f"yes ({s.reviewed_by or 'coach'})" if s.reviewed else "no",
        }
        for s in sessions
    ],
    hide_index=True,
    width="stretch",
    column_config={"Overall": st.column_config.NumberColumn(format="%.1f")},
)
if not sessions:
    st.info("No session matches these filters.")
    st.stop()

labels = {s.id: f"{_when(s.created_at)} · {s.applicant_name or 'no applicant'} · "
                f"{s.program_name or 'no program'} · #{s.id[:8]}" + (" · reviewed" if s.reviewed else "")
          for s in sessions}
ids = list(labels)
wanted = st.session_state.get("review_session_id")
session_id = st.selectbox("Session", ids, index=ids.index(wanted) if wanted in ids else 0,
                          format_func=labels.get, key="review_pick")
st.session_state["review_session_id"] = session_id

try:
    session = store.get_session(session_id)
except NotFound as exc:
    _ui.show_error(exc)
    st.stop()


#: applicants read their reviews here; only coaches, admins and the local user write them
writable = can_review(viewer, session.applicant) if session.applicant else viewer.sees_everything


def _done(message: str) -> None:
    st.session_state["review_flash"] = message
    st.rerun()


def _override_history(answer) -> None:
    """Every override of the answer, oldest first, reverts included (all are kept)."""
    if not answer.overrides:
        return
    names = {c["id"]: c.get("name") or c["id"] for c in answer.criteria}
    st.markdown("**Override history**")
    lines = []
    for o in answer.overrides:
        if o.score is None:
            what = "reverted to the automatic score"
        else:
            what = f"{o.score:g}" + (f" (automatic {o.auto_score:g})"
                                     if o.auto_score is not None else "")
        lines.append(f"- {_when(o.created_at)} · **{md_escape(o.author or 'Coach')}** · "
                     f"{md_escape(names.get(o.criterion_id, o.criterion_id))}: {what} — "
                     f"{md_escape(o.reason)}")
    st.markdown("\n".join(lines))


def _revert_form(answer) -> None:
    """Put an overridden criterion back to its automatic score (with a reason; the earlier
    overrides stay in the history)."""
    active = {c["id"]: c.get("name") or c["id"] for c in answer.criteria
              if answer.override(c["id"]) is not None}
    if not active:
        return
    with st.form(key=f"revert_form_{answer.id}", clear_on_submit=True):
        r1, r2 = st.columns([2, 3])
        crit = r1.selectbox("Overridden criterion", list(active), format_func=active.get,
                            key=f"rv_crit_{answer.id}")
        reason = r2.text_input("Reason (required)", key=f"rv_reason_{answer.id}",
                               placeholder="e.g. the automatic score was right after all")
        if st.form_submit_button("Revert to automatic score", key=f"rv_submit_{answer.id}",
                                 icon=":material/undo:"):
            try:
                store.set_override(answer.id, crit, None, reason=reason,
                                   author=_access.reviewer_name(viewer))
            except InterviewError as exc:
                _ui.show_error(exc, "Not reverted")
            else:
                _done(f"{active[crit]} is back to its automatic score "
                      f"({answer.auto_score(crit)}).")


# ------------------------------------------------------------------------ the session
st.subheader(f"{_ui.plain(session.applicant_name or 'Applicant')} · "
             f"{_ui.plain(session.program_name or 'Program')}")
m1, m2, m3 = st.columns(3)
m1.metric("Overall", f"{session.overall:.1f} / 5" if session.overall is not None else "-")
m2.metric("Answers", len(session.answers))
m3.metric("Reviewed", "yes" if session.reviewed else "no",
          help=f"by {_ui.plain(session.reviewed_by)} on {_when(session.reviewed_at)}"
          if session.reviewed else None)
if session.reviewed:
    st.caption(f"Reviewed by {_ui.plain(session.reviewed_by or 'a coach')} on "
               f"{_when(session.reviewed_at)}")
    if writable and st.button("Clear the reviewed mark", key="review_unmark"):
        store.mark_reviewed(session.id, _access.reviewer_name(viewer), reviewed=False)
        _done("The reviewed mark was cleared.")
elif writable:
    if st.button("Mark session reviewed", key="review_mark", type="primary"):
        store.mark_reviewed(session.id, _access.reviewer_name(viewer))
        _done("Session marked reviewed.")

for answer in session.answers:
    title = f"Q{answer.position}: {answer.question_text}"
    if answer.final_overall is not None:
        title += f" — {answer.final_overall:.1f} / 5"
    with st.expander(title, expanded=len(session.answers) == 1):
        if answer.attempt > 1:
            st.caption(f"Attempt {answer.attempt} (the latest; earlier attempts are kept).")
        path = store.audio_file(answer)
        if path is not None and path.is_file():
            if (answer.metrics or {}).get("presence"):  # a video answer
                st.video(str(path))
            else:
                st.audio(str(path))
        elif (answer.metrics or {}).get("video_deleted"):
            st.caption(_ui.VIDEO_DELETED)
        elif answer.audio_path:
            st.warning(f"The recording {answer.audio_path} is missing from the data directory.")
        text = answer.display_text
        scores = answer.scores or {}
        if text:
            try:
                _ui.render_transcript(text, _ui.all_evidence(scores))
            except Exception:  # noqa: BLE001 - never hide the words over a highlighting problem
                st.write(text)
        else:
            st.caption(f"No transcript ({answer.status}{': ' + answer.error if answer.error else ''}).")
        if answer.metrics:
            _ui.render_delivery(answer.metrics, answer.suggested_seconds)
        _ui.render_timing(answer)
        for reply in answer.follow_up_answers:
            st.markdown(f"**Follow-up:** {md_escape(reply.question_text)}")
            _ui.render_timing(reply)
            if reply.display_text:
                _ui.render_transcript(reply.display_text, _ui.all_evidence(reply.scores or {}))
            st.dataframe([{"Criterion": c.get("name") or c["id"], "Automatic": c.get("score"),
                           "Band": c.get("band") or ""} for c in reply.criteria],
                         hide_index=True, width="stretch")

        if answer.criteria:
            st.markdown("**Scores** (automatic, and the coach's override where there is one)")
            rows = []
            for c in answer.criteria:
                o = answer.override(c["id"])
                rows.append({
                    "Criterion": c.get("name") or c["id"],
                    "Automatic": c.get("score"),
                    "Band": c.get("band") or "",
                    "Override": o.score if o else None,
                    "Reason": o.reason if o else "",
                    "By": o.author if o else "",
                })
            st.dataframe(rows, hide_index=True, width="stretch")
            _override_history(answer)
        else:
            st.caption("No automatic scores for this answer yet.")
        if answer.criteria and writable:
            _revert_form(answer)
        if answer.criteria and writable:
            with st.form(key=f"override_form_{answer.id}", clear_on_submit=True):
                names = {c["id"]: c.get("name") or c["id"] for c in answer.criteria}
                f1, f2 = st.columns([2, 1])
                crit = f1.selectbox("Criterion", list(names), format_func=names.get,
                                    key=f"ov_crit_{answer.id}")
                new_score = f2.number_input("Score", min_value=1, max_value=5, value=3, step=1,
                                            key=f"ov_score_{answer.id}")
                reason = st.text_input("Reason (required)", key=f"ov_reason_{answer.id}")
                if st.form_submit_button("Override score", key=f"ov_submit_{answer.id}"):
                    try:
                        store.set_override(answer.id, crit, new_score, reason=reason,
                                           author=_access.reviewer_name(viewer))
                    except InterviewError as exc:
                        _ui.show_error(exc, "Override not saved")
                    else:
                        _done(f"Override saved: {names[crit]} {new_score} (automatic "
                              f"{answer.auto_score(crit)}).")

        st.markdown("**Comments**")
        for c in answer.comments:
            st.markdown(f"- **{md_escape(c.author or 'Coach')}** ({_when(c.created_at)}):")
            st.text(c.body)
        if not answer.comments:
            st.caption("No comments yet.")
        if not writable:
            continue
        with st.form(key=f"comment_form_{answer.id}", clear_on_submit=True):
            body = st.text_area("Add a comment", key=f"comment_{answer.id}")
            if st.form_submit_button("Save comment", key=f"comment_submit_{answer.id}"):
                try:
                    store.add_comment(session.id, body, author=_access.reviewer_name(viewer),
                                      answer_id=answer.id)
                except InterviewError as exc:
                    _ui.show_error(exc, "Comment not saved")
                else:
                    _done("Comment saved.")

st.markdown("#### Comments on the whole session")
for c in [c for c in session.comments if c.answer_id is None]:
    st.markdown(f"- **{md_escape(c.author or 'Coach')}** ({_when(c.created_at)}):")
    st.text(c.body)
if writable:
    with st.form(key="session_comment_form", clear_on_submit=True):
        body = st.text_area("Add a comment on the session", key="session_comment")
        if st.form_submit_button("Save session comment", key="session_comment_submit"):
            try:
                store.add_comment(session.id, body, author=_access.reviewer_name(viewer))
            except InterviewError as exc:
                _ui.show_error(exc, "Comment not saved")
            else:
                _done("Comment saved.")

# the Reports page opens on the session reviewed here
st.session_state["reports_session_id"] = session.id
st.caption("The report of this session (with your comments and overrides) is on the Reports page.")
