"""Progress page: Criterion scores and delivery figures across sessions, per applicant."""

import streamlit as st

st.title("Progress")
st.info("Criterion scores and delivery figures across sessions, per applicant. This page is being built; no sessions to show yet.")
