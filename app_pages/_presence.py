"""Shows presence figures (interview.presence.PresenceReport): metrics, a timeline, tips.

One renderer for every place that shows on-camera figures: the Camera check's analysis of a
recorded answer now, video answers beside the delivery figures later.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from interview.presence import BUSY_HEAD, LOOK_COLOURS, LOOK_LABELS, PresenceReport

COLOURS, LABELS = LOOK_COLOURS, LOOK_LABELS


def show_presence(report: PresenceReport, *, key: str = "presence") -> None:
    """Metrics, a look-away timeline and tips for one video."""
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Eye contact", f"{report.eye_contact * 100:.0f} %",
              help="Share of the answer (of speaking time, when known) with the eyes on the lens")
    c2.metric("Face in frame", f"{report.face_in_frame * 100:.0f} %")
    c3.metric("Longest look away", f"{report.longest_look_away_s:.1f} s")
    c4.metric("Head movement", "steady" if report.head_movement <= BUSY_HEAD else "a lot",
              help=f"{report.head_movement:.2f} face widths per second on average")
    st.altair_chart(timeline_chart(report), width="stretch", key=f"{key}_timeline")
    st.caption(f"{report.frames} frames analysed ({report.sample_fps:g} per second) over "
               f"{report.duration_s:.1f} s. Bars show where you looked instead of the lens.")
    for tip in report.tips:
        st.warning(tip, icon=":material/visibility:")
    if not report.tips:
        st.success("Good presence on camera: steady, in frame, eyes on the lens.",
                   icon=":material/visibility:")


def timeline_chart(report: PresenceReport) -> alt.Chart:
    """Look-aways as coloured bars along the answer's time (seconds)."""
    rows = [{"start": a.start, "end": a.end, "look": LABELS[a.kind], "kind": a.kind,
             "seconds": round(a.duration, 1)} for a in report.look_aways]
    data = pd.DataFrame(rows, columns=["start", "end", "look", "kind", "seconds"])
    domain = [LABELS[k] for k in COLOURS if k != "camera"]
    scale = alt.Scale(domain=domain, range=[COLOURS[k] for k in COLOURS if k != "camera"])
    return (
        alt.Chart(data)
        .mark_bar(height=18)
        .encode(
            x=alt.X("start:Q", title="seconds", scale=alt.Scale(domain=[0, report.duration_s])),
            x2="end:Q",
            color=alt.Color("look:N", scale=scale, title="looked"),
            tooltip=["look", "start", "end", "seconds"],
        )
        .properties(height=70)
    )
