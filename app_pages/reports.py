"""Reports page: Session reports in HTML, Markdown and JSON, and the export zip."""

import streamlit as st

st.title("Reports")
st.info("Session reports in HTML, Markdown and JSON, and the export zip. This page is being built; no sessions to show yet.")
