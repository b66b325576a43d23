"""Progress: per applicant, each criterion's score and the delivery figures (words per
minute, fillers per minute) across sessions, and the question categories not practised yet.

Scores are the final ones (a coach's override counts). Only applicants the viewer may see
are offered (interview.access).
"""

from __future__ import annotations

import altair as alt
import streamlit as st

from app_pages import _access, _ui
from interview.errors import InterviewError
from interview.progress import applicant_progress, category_label



def trend_chart(rows: list[dict], columns: list[str], y_title: str, domain=None) -> None:
    """Lines with points (a single session still shows), one colour per measure."""
    values = [{"Session": r["session"], "Measure": c, "Value": r[c]}
              for r in rows for c in columns if r.get(c) is not None]
    if domain is None:  # from zero, and never a flat [0, 0] axis when every value is 0
        domain = [0, max([1.0] + [v["Value"] * 1.1 for v in values])]
    y = alt.Y("Value:Q", title=y_title, scale=alt.Scale(domain=domain))
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=alt.OverlayMarkDef(size=70))
        .encode(x=alt.X("Session:N", sort=None, title="Session", axis=alt.Axis(labelAngle=0)),
                y=y, color=alt.Color("Measure:N", title=None),
                tooltip=["Session:N", "Measure:N", alt.Tooltip("Value:Q", format=".2f")])
    )
    st.altair_chart(chart, width="stretch")


st.title("Progress")

store = _access.current().store  # only the applicants this viewer may see

applicants = store.list_applicants()
if not applicants:
    st.info("No applicants yet. Practise a session first (Practice page).", icon=":material/info:")
    st.stop()

by_id = {a.id: a for a in applicants}
applicant_id = st.selectbox(
    "Applicant", list(by_id), key="progress_applicant",
    format_func=lambda i: by_id[i].name + (f" ({by_id[i].email})" if by_id[i].email else ""),
)
try:
    progress = applicant_progress(store, applicant_id)
except InterviewError as exc:
    _ui.show_error(exc)
    st.stop()

if not progress.points:
    st.info(f"{_ui.plain(by_id[applicant_id].name)} has no stored sessions yet.")
else:
    st.caption(f"{len(progress.points)} session(s), oldest first. Scores are 1-5 per criterion "
               "(mean over the session's answers; a coach's override counts).")
    st.subheader("Criterion scores across sessions")
    rows = progress.criterion_rows()
    if progress.criteria:
        trend_chart(rows, list(progress.criteria.values()), "Score (1-5)", domain=[1, 5])
    else:
        st.caption("No scored answers yet.")

    st.subheader("Delivery across sessions")
    delivery = progress.delivery_rows()
    if any(r["Words per minute"] is not None for r in delivery):
        trend_chart(delivery, ["Words per minute"], "Words per minute")
    else:
        st.caption("Words per minute needs recorded (not typed) answers.")
    if any(r["Fillers per minute"] is not None for r in delivery):
        trend_chart(delivery, ["Fillers per minute"], "Fillers per minute")

    st.dataframe(
        [
            {"Date": r["session"], "Program": p.program, "Answers": p.answers, "Overall": p.overall,
             **{name: p.criteria.get(cid) for cid, name in progress.criteria.items()},
             "Words/min": p.wpm, "Fillers/min": p.fillers_per_min}
            for r, p in zip(rows, progress.points)
        ],
        hide_index=True, width="stretch",
    )

st.subheader("Question categories not practised yet")
if progress.not_practised:
    for c in progress.not_practised:
        st.markdown(f"- {category_label(c)}")
else:
    st.success("Every question category has been practised at least once.")
