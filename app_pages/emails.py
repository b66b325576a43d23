"""Thank-you emails page (being built; a minimal working page for the navigation)."""

import streamlit as st

st.title("Thank-you emails")
st.info("Draft a brief thank-you email to each interviewer within 24 hours of your interview.")
