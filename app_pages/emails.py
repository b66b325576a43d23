"""Thank-you emails page: draft, edit and send a brief thank-you to each interviewer.

Pick a saved session (its program profile, the applicant's details and what they said feed
the suggestions) or enter the program; enter the interviewers and the interview's date and
time; pick a conversation detail per interviewer (or type one); choose a tone; draft. Drafts
are saved in the database with the session (standalone when no session is picked) and can be
edited, copied, downloaded as ``.eml`` or opened in the mail client. All drafting logic is in
:mod:`interview.emails`; this page only gathers input and shows drafts.
"""

from __future__ import annotations

import html
import re
import sys
from datetime import date, datetime, time
from email.utils import formataddr
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # AppTest runs the page file on its own
    sys.path.insert(0, str(ROOT))

from app_pages import _ui  # noqa: E402
from interview.emails import (  # noqa: E402
    WORD_LIMIT,
    WORD_TARGET,
    Candidate,
    EmailDraft,
    Interviewer,
    count_words,
    draft_emails,
    load_templates,
    mailto_url,
    suggest_details,
    to_eml,
)
from interview.errors import InterviewError  # noqa: E402
from interview.match_rules import check_email  # noqa: E402
from interview.profile import COUNTRY_NAMES, SPECIALTIES, make_profile  # noqa: E402

FROM_TITLE = "From the title"
OTHER = "Other"
OWN = "Type my own detail below"
MAX_INTERVIEWERS = 8


def md(text: str | None) -> str:
    """User text made safe for ``st.markdown``: HTML escaped, Markdown syntax neutralised."""
    text = html.escape(text or "", quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~>])", r"\\\1", text)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "interviewer"


def session_label(s) -> str:
    when = f"{s.created_at:%Y-%m-%d %H:%M}" if s.created_at else ""
    who = s.applicant_name or "unnamed applicant"
    program = s.program_name or "no program"
    return f"{who} · {program} · {when}"


def naive(dt: datetime | None) -> datetime | None:
    """Stored send-by times are wall-clock times; drop the storage layer's UTC label."""
    return dt.replace(tzinfo=None) if dt is not None else None


def record_to_draft(rec, subject: str, body: str, to_email: str,
                    country: str = "us") -> EmailDraft:
    return EmailDraft(
        country=country,
        to=rec.interviewer_name, to_email=to_email or "", subject=subject, body=body,
        tone=rec.tone or "", send_by=naive(rec.send_by) or datetime.now(),
        word_count=count_words(body), detail=rec.detail or "",
        to_title=rec.interviewer_title or "", role=rec.interviewer_role or "",
    )


# --------------------------------------------------------------------------- page

st.title("Thank-you emails")
st.caption(
    "Send a brief, personal thank-you email to each interviewer within 24 hours of the "
    f"interview, naming something specific you talked about (about {WORD_TARGET} words)."
)

store = None
try:
    store = _ui.get_store()
except InterviewError as exc:
    _ui.show_error(exc, "Drafts cannot be saved")

try:
    templates = load_templates()
except InterviewError as exc:
    _ui.show_error(exc, "The email templates cannot be used")
    st.stop()

sessions = []
if store is not None:
    try:
        sessions = store.list_sessions(limit=200)
    except InterviewError as exc:
        _ui.show_error(exc, "Saved sessions cannot be listed")

# ---- 1. session or program --------------------------------------------------------------

st.subheader("1. The interview")
by_id = {s.id: s for s in sessions}
session_id = st.selectbox(
    "Saved session", [None, *by_id], key="email_session",
    format_func=lambda sid: "None: enter the program below" if sid is None else session_label(by_id[sid]),
    help="Pick the session you practised for this program: its profile and what you said "
    "suggest details, and the drafts are saved with it.",
)
session = None
if session_id is not None:
    try:
        session = store.get_session(session_id)
    except InterviewError as exc:
        _ui.show_error(exc, "The session cannot be opened")
        session = None

profile = None
if session is not None and session.profile is not None:
    try:
        profile = session.profile.to_profile()
    except InterviewError as exc:
        _ui.show_error(exc, "The session's program profile is invalid")
    if profile is not None:
        st.markdown(f"**Program:** {md(profile.name)} ({profile.country_name})")

if profile is None:
    sfx = session_id or "none"
    cols = st.columns([3, 1])
    program_name = cols[0].text_input("Program name", key=f"email_program_name_{sfx}")
    country = cols[1].radio("Country", ["us", "ca"], key=f"email_country_{sfx}",
                            format_func=COUNTRY_NAMES.get, horizontal=True)
    cols = st.columns(2)
    region = cols[0].text_input("State or province (e.g. NY, AB)", key=f"email_region_{sfx}")
    specialty = cols[1].selectbox("Specialty", [None, *SPECIALTIES], key=f"email_specialty_{sfx}",
                                  format_func=lambda k: "-" if k is None else SPECIALTIES[k])
    mission = st.text_area("Mission statement (optional)", key=f"email_mission_{sfx}", height=80)
    if program_name.strip():
        try:
            profile = make_profile(name=program_name, country=country, region=region or None,
                                   specialty=specialty, mission=mission)
        except InterviewError as exc:
            _ui.show_error(exc)

cols = st.columns(2)
interview_day = cols[0].date_input("Interview date", value=date.today(), key="email_date")
interview_time = cols[1].time_input("Interview time", value=time(9, 0), key="email_time")

# ---- 2. you ----------------------------------------------------------------------------

applicant = session.applicant if session is not None else None
sfx = session_id or "none"
with st.expander("2. Your signature", expanded=applicant is None):
    cols = st.columns(2)
    cand_name = cols[0].text_input("Your name", value=_ui.get(applicant, "name", "") or "",
                                   key=f"email_cand_name_{sfx}")
    cand_email = cols[1].text_input("Your email", value=_ui.get(applicant, "email", "") or "",
                                    key=f"email_cand_email_{sfx}")
    cols = st.columns(2)
    cand_phone = cols[0].text_input("Your phone", value=_ui.get(applicant, "phone", "") or "",
                                    key=f"email_cand_phone_{sfx}")
    is_ca = profile is not None and profile.country == "ca"
    id_label = "CaRMS ID (optional)" if is_ca else "AAMC ID (optional)"
    id_default = _ui.get(applicant, "carms_id" if is_ca else "aamc_id", "") or ""
    cand_id = cols[1].text_input(id_label, value=id_default,
                                 key=f"email_cand_id_{sfx}_{'ca' if is_ca else 'us'}")

if profile is None:
    st.info("Pick a saved session or enter the program's name to draft emails.")

# ---- 3. interviewers and details -------------------------------------------------------


def interviewers_and_drafting() -> None:
    """Section 3: the interviewers, a detail for each, the tone, and the Draft button
    (shown once a program is known; saved drafts are listed below either way)."""
    answers = [a.display_text for a in session.answers] if session is not None else []
    try:
        suggestions = suggest_details(profile, answers, limit=12)
    except InterviewError as exc:
        _ui.show_error(exc, "Suggestions are unavailable")
        suggestions = []

    st.subheader("3. Interviewers")
    st.caption("For each interviewer, pick a detail from your conversation (suggested from the "
               "program and what you said in practice) or type your own.")
    count = int(st.number_input("How many interviewers?", min_value=1, max_value=MAX_INTERVIEWERS,
                                value=1, step=1, key="email_count"))
    interviewers: list[Interviewer] = []
    details: list[str] = []
    for i in range(count):
        with st.container(border=True):
            cols = st.columns([2, 2, 2, 2])
            name = cols[0].text_input(f"Interviewer {i + 1} name", key=f"email_iv_name_{i}",
                                      placeholder="Dr. Maria Lopez")
            title = cols[1].text_input("Title", key=f"email_iv_title_{i}",
                                       placeholder="Program Director")
            role = cols[2].selectbox(
                "Role", [FROM_TITLE, *templates.roles.labels, OTHER], key=f"email_iv_role_{i}",
                help="Each email thanks the interviewer in a way suited to their role. "
                f"\"{FROM_TITLE}\" infers it from the title; \"{OTHER}\" uses a general sentence.")
            address = cols[3].text_input("Email", key=f"email_iv_email_{i}")
            options = [*suggestions, OWN]
            pick = st.selectbox("Detail", options, index=min(i, len(suggestions)) if suggestions else 0,
                                key=f"email_pick_{i}_{sfx}")
            own = st.text_input("Or type your own detail", key=f"email_detail_{i}",
                                placeholder="the mentorship opportunities you offer")
            role = {FROM_TITLE: "", OTHER: "other"}.get(role, role)
            interviewers.append(Interviewer(name=name, title=title, role=role, email=address))
            details.append(own.strip() or ("" if pick == OWN else pick))

    tone = st.radio("Tone", templates.tones, index=templates.tones.index("warm")
                    if "warm" in templates.tones else 0, horizontal=True, key="email_tone")

    if st.button("Draft emails", type="primary", key="email_generate"):
        try:
            drafts = draft_emails(
                Candidate(name=cand_name, email=cand_email, phone=cand_phone,
                          aamc_id="" if is_ca else cand_id, carms_id=cand_id if is_ca else ""),
                profile, interviewers, details, tone=tone,
                interview_at=datetime.combine(interview_day, interview_time), answers=answers,
            )
        except InterviewError as exc:
            _ui.show_error(exc, "Cannot draft the emails")
            drafts = []
        warnings = st.session_state.setdefault("email_warnings", {})
        unsaved = st.session_state.setdefault("email_unsaved", [])
        for d, person in zip(drafts, interviewers):
            if store is None:
                unsaved.append(d)
                continue
            try:
                rec = store.save_email_draft(
                    session_id, interviewer_name=d.to, interviewer_title=d.to_title or None,
                    interviewer_role=d.role or None, interviewer_email=d.to_email or None,
                    detail=d.detail, tone=d.tone, subject=d.subject, body=d.body,
                    send_by=d.send_by,
                )
            except InterviewError as exc:
                _ui.show_error(exc, "The draft was not saved")
                unsaved.append(d)
                continue
            # word count and missing addresses are re-checked live below, as the draft is edited
            warnings[rec.id] = [w for w in d.warnings if "suggested" in w or "reads the same" in w]
        if drafts:
            where = "with the session" if session_id else "in your drafts"
            st.success(f"{len(drafts)} draft(s) ready and saved {where}.")


if profile is not None:
    interviewers_and_drafting()


# ---- 4. drafts -------------------------------------------------------------------------

records = []
if store is not None:
    try:
        # no session picked: every draft saved without one, from the database (newest
        # first), so drafts typed for a program by hand survive a reload or restart
        records = (store.list_email_drafts(session_id) if session_id is not None
                   else store.list_standalone_email_drafts())
    except InterviewError as exc:
        _ui.show_error(exc, "Saved drafts cannot be listed")

unsaved_drafts: list[EmailDraft] = st.session_state.get("email_unsaved", [])
if records or unsaved_drafts:
    st.subheader("4. Your drafts")
    if session_id is None and records:
        st.caption("Drafts saved without a practice session, newest first.")


def _save(draft_id: str, field: str, key: str) -> None:
    """Save an edit as soon as the applicant leaves the field."""
    try:
        store.update_email_draft(draft_id, **{field: st.session_state[key]})
    except InterviewError as exc:
        st.session_state["email_save_error"] = str(exc)


if st.session_state.pop("email_save_error", None):
    st.error("An edit could not be saved; copy your text before leaving the page.")


def show_draft(key: str, draft: EmailDraft, record=None) -> None:
    with st.container(border=True):
        to = md(draft.to) + (f" · {md(draft.to_title)}" if draft.to_title else "")
        if draft.role and draft.role.lower() != (draft.to_title or "").lower():
            to += f" ({md(draft.role.lower())})"
        st.markdown(f"**To:** {to}")
        due = draft.send_by
        late = due < datetime.now()
        st.markdown(f"**Send by:** {due:%A, %B} {due.day}, {due:%Y} at {due:%H:%M}"
                    + (" (the 24-hour window has passed: send it as soon as you can)" if late else ""))

        def saving(field: str, widget_key: str) -> dict:
            if record is None:
                return {}
            return {"on_change": _save, "args": (record.id, field, widget_key)}

        to_email = st.text_input("To (email)", value=draft.to_email, key=f"email_to_{key}",
                                 **saving("interviewer_email", f"email_to_{key}"))
        subject = st.text_input("Subject", value=draft.subject, key=f"email_subject_{key}",
                                **saving("subject", f"email_subject_{key}"))
        body = st.text_area("Body", value=draft.body, height=340, key=f"email_body_{key}",
                            **saving("body", f"email_body_{key}"))
        words = count_words(body)
        if words > WORD_LIMIT:
            st.warning(f"{words} words: thank-you emails work best at about {WORD_TARGET} "
                       f"words (under {WORD_LIMIT}).")
        else:
            st.caption(f"{words} words · {draft.tone or 'edited'} tone")
        notes = list(st.session_state.get("email_warnings", {}).get(
            key, [w for w in draft.warnings if "suggested" in w or "reads the same" in w]))
        if not to_email.strip():
            notes.append(f"No email address for {md(draft.to)}: add it above before sending.")
        if not cand_email.strip():
            notes.append("No email address in your signature: add one so they can reply.")
        for w in notes:
            st.warning(w if w.startswith("No email") else md(w))
        # the Match communication rules, checked again on every edit
        for w in check_email(subject, body, draft.country):
            if w.level == "not_allowed":
                st.error(md(w.message()), icon=":material/gpp_bad:")
            else:
                st.info(md(w.message()), icon=":material/info:")
        current = EmailDraft(**{**draft.__dict__, "to_email": to_email.strip(),
                                "subject": subject, "body": body, "word_count": words})
        with st.expander("Copy"):
            st.code(f"Subject: {subject}\n\n{body}", language=None)
        cols = st.columns(3)
        sender = (formataddr((" ".join(cand_name.split()), cand_email.strip()))
                  if cand_email.strip() else "")
        cols[0].download_button("Download .eml", data=to_eml(current, sender),
                                file_name=f"thank-you-{slug(draft.to)}.eml",
                                mime="message/rfc822", key=f"email_eml_{key}")
        cols[1].link_button("Open in mail client", mailto_url(current))
        if record is not None and cols[2].button("Delete draft", key=f"email_delete_{key}"):
            try:
                store.delete_email_draft(record.id)
            except InterviewError as exc:
                _ui.show_error(exc, "The draft was not deleted")
            st.rerun()


for rec in records:
    show_draft(rec.id, record_to_draft(rec, rec.subject, rec.body, rec.interviewer_email or "",
                                       profile.country if profile is not None else "us"), rec)
for n, d in enumerate(unsaved_drafts):
    show_draft(f"unsaved{n}", d)
