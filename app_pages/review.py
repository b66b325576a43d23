"""Coach review page: Review applicants' sessions: comments, score overrides, mark reviewed."""

import streamlit as st

st.title("Coach review")
st.info("Review applicants' sessions: comments, score overrides, mark reviewed. This page is being built; no sessions to show yet.")
