"""The practice flow: session set-up, one question at a time, feedback, retry.

Used by ``app_pages/practice.py`` (and by History, which reopens a session). The state kept
in ``st.session_state``:

``active_session_id``
    the session being practised (None: show the set-up);
``position``
    the 1-based question shown;
``method``
    how answers are given: "browser" | "upload" | "microphone" | "typed" (copied from the
    set-up's ``answer_method`` radio, a widget key Streamlit forgets once it is not drawn);
``mic``
    the local input device (for "microphone", copied from the ``mic_device`` selectbox);
``again``
    set of (session, position) for which the applicant asked to record again;
``handled_uploads``
    ids of browser recordings / uploads already stored (a widget keeps its value across
    reruns; each recording must be stored once). An id is added only once its take is
    saved (file fsync'd, row committed), so a rerun in the middle never drops a take;
``nonce``
    (session, position) -> counter, so "record again" gives a fresh recorder.
"""

from __future__ import annotations

import time

import streamlit as st

from app_pages import _formats, _ui
from interview.access import owns
from interview.errors import InterviewError
from interview.formats import FORMATS
from interview.profile import CA_PROVINCES, FEATURES, SPECIALTIES, make_profile

NEW = "__new__"

METHODS = {
    "browser": "Record in the browser",
    "browser_file": "Record in the browser (simple recorder)",
    "upload": "Upload a recording",
    "microphone": "This computer's microphone",
    "typed": "Type the answer",
}

#: the session formats offered at the start (interview.formats)
FORMAT_LABELS = {f.id: f"{f.label}: {f.description}" for f in FORMATS.values()}

UPLOAD_TYPES = ["wav", "flac", "mp3", "m4a", "aac", "ogg", "opus", "webm"]


def _state():
    s = st.session_state
    s.setdefault("method", "browser")
    s.setdefault("again", set())
    s.setdefault("handled_uploads", set())
    s.setdefault("nonce", {})
    s.setdefault("position", 1)
    return s


# ---------------------------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------------------------


def _profile_label(rec) -> str:
    parts = [rec.name, "U.S." if rec.country == "us" else "Canada"]
    if rec.specialty and rec.specialty in SPECIALTIES:
        parts.append(SPECIALTIES[rec.specialty])
    return " · ".join(parts)


def profile_form(store) -> None:
    """The form for a new program profile; on a valid submit it is saved and selected."""
    s = _state()
    applicants = store.list_applicants()
    last_name = ""
    if s.get("applicant_id"):
        last_name = next((a.name for a in applicants if a.id == s["applicant_id"]), "")
    viewer = getattr(store, "viewer", None)
    if not last_name and viewer is not None and viewer.role != "local":
        # logged in: sessions are kept under the login, the name is only how it reads
        mine = [a for a in applicants if owns(viewer, a)]
        last_name = mine[0].name if mine else viewer.name
    with st.form("profile_form"):
        st.markdown("**New program profile**")
        applicant_name = st.text_input("Your name", value=last_name, key="pf_applicant",
                                       help="Sessions are kept under this name.")
        c1, c2 = st.columns(2)
        name = c1.text_input("Program name", key="pf_name",
                             placeholder="e.g. Riverside Family Medicine Residency")
        country = c2.radio("Country", ["us", "ca"], horizontal=True, key="pf_country",
                           format_func={"us": "United States", "ca": "Canada"}.get)
        c3, c4, c5 = st.columns(3)
        region = c3.text_input("State / province", key="pf_region",
                               placeholder="e.g. NY or " + ", ".join(list(CA_PROVINCES)[:2]))
        city = c4.text_input("City", key="pf_city")
        specialty = c5.selectbox("Specialty", [""] + list(SPECIALTIES), key="pf_specialty",
                                 format_func=lambda k: SPECIALTIES.get(k, "(any)"))
        mission = st.text_area("Mission statement", key="pf_mission", height=100,
                               help="Paste it from the program's website: features such as "
                               "rural, research or underserved care are recognised in it.")
        features = st.multiselect("Features", list(FEATURES), key="pf_features",
                                  format_func=lambda k: FEATURES[k][0])
        submitted = st.form_submit_button("Save profile", type="primary")
    if not submitted:
        return
    problems = []
    if not applicant_name.strip():
        problems.append("your name: must not be empty (sessions are kept under it)")
    try:
        profile = make_profile(name=name, country=country, region=region or None,
                               city=city or None, specialty=specialty or None,
                               mission=mission or "", features=features)
    except InterviewError as exc:
        problems.append(str(exc))
        profile = None
    if problems:
        st.error("The profile was not saved. " + " ".join(
            p[:1].upper() + p[1:] + ("" if p.endswith(".") else ".") for p in problems),
            icon=":material/error:")
        return
    applicant = store.get_or_add_applicant(applicant_name.strip())
    rec = store.find_or_add_profile(profile, applicant_id=applicant.id)
    s["applicant_id"] = applicant.id
    s["profile_id"] = rec.id
    s["pending_profile_choice"] = rec.id  # applied before the selectbox is drawn again
    st.toast(f"Saved the profile for {_ui.plain(rec.name)}.")
    st.rerun()


def recovery_notice(store) -> None:
    """Answers a crash or a closed tab left unfinished (see ``interview recover``), with a
    button that finishes them from the saved audio."""
    from interview.recovery import find_unfinished, recover

    try:
        found = find_unfinished(store, include_failed=False)
    except InterviewError:
        return
    if not found.items:
        return
    n = len(found.items)
    with st.container(border=True):
        st.warning(f"{n} answer{'s were' if n > 1 else ' was'} saved but not finished (the app "
                   "or a command stopped while processing). Nothing is lost: finish "
                   f"{'them' if n > 1 else 'it'} from the saved audio.",
                   icon=":material/restore:")
        if st.button("Finish now", key="recover_now", icon=":material/refresh:"):
            with st.spinner("Finishing the saved answers..."):
                try:
                    recover(store, include_failed=False, transcriber=_ui.answer_transcriber(),
                            **_ui.answer_options())
                except InterviewError as exc:
                    _ui.show_error(exc, "Recovery failed")
                    return
            st.rerun()


def session_setup(store) -> None:
    """Choose a program profile and the session options, then start."""
    s = _state()
    recovery_notice(store)
    st.write("Practise a mock residency interview tailored to one program. Answer out loud: "
             "your answer is transcribed on this computer and scored with evidence and tips.")

    st.subheader("1. Program")
    profiles = store.list_profiles()
    viewer = getattr(store, "viewer", None)
    if viewer is not None and viewer.role != "local":
        # one practises as oneself: a coach's or admin's list holds other people's programs
        mine = {a.id for a in store.list_applicants() if owns(viewer, a)}
        profiles = [p for p in profiles if p.applicant_id in mine]
    ids = [p.id for p in profiles]
    by_id = {p.id: p for p in profiles}
    if s.get("pending_profile_choice") in ids:
        s["profile_choice"] = s.pop("pending_profile_choice")
    if s.get("profile_choice") not in ids + [NEW]:
        s["profile_choice"] = s.get("profile_id") if s.get("profile_id") in ids else (
            ids[0] if ids else NEW)
    labels = {p.id: _profile_label(p) for p in profiles}
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    labels = {k: v + (f" · #{k[:4]}" if counts[v] > 1 else "") for k, v in labels.items()}
    labels[NEW] = "+ New program profile"
    choice = st.selectbox("Program profile", ids + [NEW], key="profile_choice",
                          format_func=labels.get)
    if choice == NEW:
        profile_form(store)
        return
    rec = by_id[choice]
    s["profile_id"] = rec.id
    owner = None
    if rec.applicant_id:
        try:
            owner = store.get_applicant(rec.applicant_id)
        except InterviewError:
            owner = None
    s["applicant_id"] = owner.id if owner else s.get("applicant_id")
    program = rec.to_profile()
    with st.container(border=True):
        st.markdown(f"**{_ui.plain(rec.name)}**"
                    + (f" · applicant: {_ui.plain(owner.name)}" if owner else ""))
        where = ", ".join(x for x in (program.city, program.region_name, program.country_name) if x)
        st.caption(where + (f" · {program.specialty_name}" if program.specialty_name else ""))
        feats = [FEATURES[f][0] for f in program.all_features if f in FEATURES]
        if feats:
            st.caption("Features: " + ", ".join(feats))

    st.subheader("2. Session")
    c1, c2 = st.columns(2)
    count = c1.number_input("Number of questions", min_value=1, max_value=20, value=3,
                            key="question_count")
    fmt_id = c2.radio("Format", list(FORMATS), format_func=FORMAT_LABELS.get, key="mode")
    method = st.radio("How will you answer?", list(METHODS), format_func=METHODS.get,
                      key="answer_method", horizontal=True)
    if method == "browser":
        st.caption("Your browser asks which microphone to use the first time you record. "
                   "Check it first on the Pre-flight check page.")
    elif method == "microphone":
        microphone_choice()

    if st.button("Start the interview", type="primary", key="start"):
        from interview.practice import start_session

        try:
            sess = start_session(store, s.get("applicant_id"), rec.id, count=int(count),
                                 format=fmt_id)
        except InterviewError as exc:
            _ui.show_error(exc, "The session could not start")
            return
        s["method"] = method
        s["mic"] = s.get("mic_device")
        open_session(sess.id, position=1)
        st.rerun()


def microphone_choice() -> None:
    """Pick a local input device, or explain why there is none."""
    ok, devices, why = _ui.local_microphones()
    if not ok:
        st.info(why, icon=":material/info:")
        return
    names = [d[0] for d in devices]
    labels = dict(devices)
    st.selectbox("Microphone", names, format_func=lambda n: labels.get(n, str(n)),
                 key="mic_device")


def open_session(session_id: str, position: int = 1) -> None:
    """Make ``session_id`` the active session, at ``position``."""
    s = _state()
    s["active_session_id"] = session_id
    s["position"] = position


def close_session() -> None:
    s = _state()
    s["active_session_id"] = None
    s["position"] = 1


# ---------------------------------------------------------------------------------------------
# One question at a time
# ---------------------------------------------------------------------------------------------


def _nonce(sid: str, pos: int) -> int:
    return _state()["nonce"].get(f"{sid}:{pos}", 0)


def _timer_key(sid: str, pos: int) -> str:
    return f"started:{sid}:{pos}:{_nonce(sid, pos)}"


@st.fragment(run_every=1.0)
def _timer(started_key: str, suggested: int | None, timed: bool) -> None:
    """Time on this question against the suggested length, refreshed every second.

    It counts from when the question appeared (reading and thinking included), as the
    clock runs on the day: ``st.audio_input`` reports no "recording started" event, so it
    cannot be the length of the recording (the feedback shows that, from the audio)."""
    started = st.session_state.get(started_key) or time.time()
    elapsed = time.time() - started
    if suggested:
        over = elapsed > suggested
        colour = "red" if over else ("orange" if elapsed > 0.8 * suggested else "green")
        label = (f"Time on this question: :{colour}[**{_ui.fmt_seconds(elapsed)}**] · about "
                 f"{_ui.fmt_seconds(suggested)} suggested for the answer"
                 + (" — time to wrap up" if over else ""))
        st.progress(min(elapsed / suggested, 1.0), text=label)
    else:
        st.caption(f"Time on this question: {_ui.fmt_seconds(elapsed)}")


def question_card(question: dict, pos: int, total: int, mode: str) -> None:
    from interview.bank import CATEGORY_LABELS, KIND_LABELS

    with st.container(border=True):
        cat = CATEGORY_LABELS.get(question.get("category") or "", question.get("category") or "")
        kind = KIND_LABELS.get(question.get("kind") or "", "")
        st.caption(cat + (f" · {kind}" if kind else ""))
        st.markdown(f"### {question.get('text', '')}")
        if question.get("suggested_seconds") and mode != "timed":  # timed: the limits show
            st.caption(f"Suggested length: about {_ui.fmt_seconds(question['suggested_seconds'])}")


def follow_up(question: dict, mode: str) -> None:
    """The interviewer's follow-up, asked once the answer is given (as on the day)."""
    ups = question.get("follow_ups") or []
    if not ups:
        return
    with st.container(border=True):
        if mode == "interview":
            st.markdown("**The interviewer follows up:** " + ups[0])
            st.caption("Answer it out loud as you would on the day (it is not recorded), "
                       "then go on to the next question.")
        else:
            st.markdown("**A follow-up the interviewer may ask:** " + ups[0])


def follow_up_text(sess, answer, question: dict) -> str:
    """The follow-up the interviewer asks after ``answer``: chosen by its trigger from what
    the answer said (interview.followups), else the question's first."""
    from interview.followups import choose_follow_up

    country = sess.profile.country if sess.profile else None
    chosen = choose_follow_up(answer.display_text, question.get("follow_ups") or [],
                              question.get("follow_up_triggers"), country)
    return chosen.text if chosen else ""


def recorded_follow_up(store, sess, answer, pos: int) -> bool:
    """The interviewer's follow-up, answered aloud and stored with its main answer.
    True once it is answered (or skipped); False while the applicant answers it."""
    s = _state()
    question = sess.questions[pos - 1]
    asked = answer.follow_up_answers[0].question_text if answer.follow_up_answers else \
        follow_up_text(sess, answer, question)
    with st.container(border=True):
        st.markdown("**The interviewer follows up:** " + asked)
        if reading_aloud(sess) and not answer.follow_up_answers:
            from app_pages._voice import voice

            voice(asked, f"{sess.id}:{pos}:follow-up", country=_country(sess))
        from app_pages import _live

        if answer.follow_up_answers and not _live.in_progress(f"live:fu:{sess.id}:{pos}:"):
            reply = answer.follow_up_answers[0]
            if reply.status == "scored":
                st.success("Your answer to the follow-up is saved.")
                if sess.mode == "practice":
                    _ui.render_answer_feedback(store, reply)
            else:
                _failed_answer(store, reply)
            return True
        if answer.id in s.setdefault("skipped_follow_ups", set()):
            st.caption("Skipped.")
            return True
        st.caption("Answer it out loud, as you would on the day: it is recorded and scored "
                   "with your answer.")
        method = s.get("method") or "browser"

        def submit(**kwargs) -> None:
            _submit(store, sess, pos, parent=answer, follow_up_text=asked, **kwargs)

        n = _nonce(sess.id, pos)
        if method == "browser" and _formats.session_format(sess).timed:
            _formats.timed_answer(sess, question, pos, method=method, nonce=n, submit=submit,
                                  follow_up=1, live=live_recorder(sess, pos, submit, answer, asked))
        else:
            answer_widgets(sess, pos, method, f"{sess.id}:{pos}:fu1:{n}", question, submit,
                           parent=answer, follow_up_text=asked)
        if st.button("Skip the follow-up", key=f"skipfu:{answer.id}"):
            s["skipped_follow_ups"].add(answer.id)
            st.rerun()
    return False


def _country(sess) -> str | None:
    return sess.profile.country if sess.profile else None


def reading_aloud(sess) -> bool:
    """Whether questions are read aloud: the toggle at the top of the session, on by default
    in the interview formats unless turned off in Settings."""
    key = f"voice_on:{sess.id}"
    if key not in st.session_state:
        st.session_state[key] = bool(_formats.session_format(sess).voice_default
                                     and _ui.settings().voice)
    return bool(st.session_state[key])


def recording_video(sess) -> bool:
    """Whether this session's answers are recorded with the camera: the toggle at the top of
    the session, off unless video answers are turned on in Settings."""
    key = f"video_on:{sess.id}"
    if key not in st.session_state:
        st.session_state[key] = bool(_ui.settings().video_answers)
    return bool(st.session_state[key])


def run_session(store, sid: str) -> None:
    s = _state()
    try:
        sess = store.get_session(sid)
    except InterviewError as exc:
        _ui.show_error(exc, "This session cannot be opened")
        if st.button("Start a new session"):
            close_session()
            st.rerun()
        return
    total = len(sess.questions)
    pos = int(s.get("position") or 1)

    top = st.columns([4, 2, 2, 2, 2])
    reading_aloud(sess)  # sets the toggle's default for this session
    recording_video(sess)
    live_captions(sess)
    top[3].toggle("Live captions", key=f"captions_on:{sid}",
                  help="Your words and your pace under the question while you record in the "
                  "browser. Off by default in the timed formats; Settings sets the default.")
    top[2].toggle("Video answers", key=f"video_on:{sid}",
                  help="Record your answers with the camera too (saved on this computer like "
                  "audio): eye contact and framing are measured. Off = audio only.")
    top[1].toggle("Read questions aloud", key=f"voice_on:{sid}",
                  help="The interviewer's voice: a voice installed on this computer reads "
                  "each question (never an online voice). Turn it off in Settings for good.")
    top[0].markdown(f"**{_ui.plain(sess.program_name or 'Practice')}** · "
                    f"{_formats.session_format(sess).label}"
                    + (f" · {_ui.plain(sess.applicant_name)}" if sess.applicant_name else ""))
    if top[4].button("End session", key="end_session"):
        store.finish_session(sid)
        close_session()
        st.rerun()

    if total == 0:
        st.warning("This session has no questions. Start a new one.")
        return
    if pos > total:
        session_end(store, sess)
        return

    st.progress((pos - 1) / total, text=f"Question {pos} of {total}")
    question = sess.questions[pos - 1]
    question_card(question, pos, total,
                  "timed" if _formats.session_format(sess).timed else sess.mode)
    _formats.scenario_card(question, _formats.session_format(sess))
    if reading_aloud(sess) and sess.answer_at(pos) is None:
        from app_pages._voice import voice

        voice(question.get("text", ""), f"{sid}:{pos}", country=_country(sess))

    latest = sess.answer_at(pos)
    key = f"{sid}:{pos}"
    from app_pages import _live

    if latest is not None and key not in s["again"] and not _live.in_progress(f"live:main:{key}:"):
        show_answer(store, sess, latest, pos, total)
    else:
        answer_input(store, sess, question, pos)
        if latest is not None and st.button("Keep my previous attempt", key=f"keep:{key}"):
            s["again"].discard(key)
            st.rerun()


def _go_next(pos: int) -> None:
    _state()["position"] = pos + 1


def answer_input(store, sess, question: dict, pos: int) -> None:
    """The recorder / uploader / typed box for one question; stores and scores the answer."""
    s = _state()
    sid = sess.id
    fmt = _formats.session_format(sess)
    if not fmt.timed:
        started_key = _timer_key(sid, pos)
        s.setdefault(started_key, time.time())
        _timer(started_key, question.get("suggested_seconds"), sess.mode == "interview")

    method = s.get("method") or "browser"
    n = _nonce(sid, pos)
    wkey = f"{sid}:{pos}:{n}"
    cols = st.columns([3, 1])
    other = cols[1].selectbox("Answer by", list(METHODS), index=list(METHODS).index(method),
                              format_func=METHODS.get, key=f"method:{wkey}",
                              label_visibility="collapsed")
    if other != method:
        s["method"] = other
        method = other

    def submit(**kwargs) -> None:
        _submit(store, sess, pos, **kwargs)

    with cols[0]:
        if fmt.timed:
            _formats.timed_answer(sess, question, pos, method=method, nonce=n, submit=submit,
                                  live=live_recorder(sess, pos, submit))
        else:
            answer_widgets(sess, pos, method, wkey, question, submit)


def answer_widgets(sess, pos: int, method: str, wkey: str, question: dict, submit,
                   seconds: float | None = None, parent=None,
                   follow_up_text: str | None = None) -> None:
    """The input for one take by ``method``; ``submit(audio=, filename=, text=, source=)``
    stores it. ``seconds``: the time limit of a local-microphone recording. ``parent`` and
    ``follow_up_text``: this take answers the interviewer's follow-up to ``parent``.

    "browser" is the streaming recorder (``app_pages/_live.py``: transcribed while spoken,
    live captions); "browser_file" is ``st.audio_input``, the simple recorder that sends the
    whole take at the end (the fallback where the streaming recorder cannot run)."""
    s = _state()
    if method in ("browser", "browser_file") and recording_video(sess):
        from app_pages._recorder import RecorderError, recorder

        try:
            # the take is marked handled by _submit once saved, never before (as for audio)
            take = recorder(f"video:{wkey}", video=True, label="Record your answer (video)",
                            answer_seconds=seconds or _ui.settings().max_seconds,
                            handled=s.setdefault("handled_uploads", set()))
        except RecorderError as exc:
            _ui.show_error(exc, "The recording could not be used")
            take = None
        if take is not None:
            submit(audio=take.audio, filename=take.filename, source="audio", take=take.marker)
    elif method == "browser":
        live_recorder(sess, pos, submit, parent, follow_up_text)(
            f"live:{'fu' if parent is not None else 'main'}:{wkey}",
            answer_seconds=seconds or _ui.settings().max_seconds,
            timing=_stream_timing(sess, question, parent is not None))
    elif method == "browser_file":
        rec = st.audio_input("Record your answer", key=f"rec:{wkey}")
        if rec is not None and rec.file_id not in s["handled_uploads"]:
            # marked handled by _submit once saved, never before
            submit(audio=rec.getvalue(), filename="recording.wav", source="audio",
                   take=rec.file_id)
    elif method == "upload":
        up = st.file_uploader("Upload your recorded answer", type=UPLOAD_TYPES,
                              key=f"upload:{wkey}",
                              help="WAV, FLAC, MP3, M4A/AAC, OGG/Opus or WebM, e.g. "
                              "from your phone.")
        if up is not None and up.file_id not in s["handled_uploads"]:
            submit(audio=up.getvalue(), filename=up.name, source="upload", take=up.file_id)
    elif method == "microphone":
        _local_recording(question, wkey, submit, seconds)
    else:
        with st.form(f"typed:{wkey}"):
            text = st.text_area("Type your answer", height=200, key=f"text:{wkey}")
            sent = st.form_submit_button("Submit answer", type="primary")
        if sent:
            if not text.strip():
                st.error("The answer is empty: type it (or record it) first.")
            else:
                submit(text=text, source="typed")


def _local_recording(question: dict, wkey: str, submit, limit: float | None = None) -> None:
    ok, devices, why = _ui.local_microphones()
    if not ok:
        st.info(why, icon=":material/info:")
        return
    s = _state()
    ids = [d[0] for d in devices]
    labels = dict(devices)
    device = st.selectbox("Microphone", ids, format_func=lambda i: labels.get(i, str(i)),
                          index=ids.index(s["mic"]) if s.get("mic") in ids else 0,
                          key=f"micdev:{wkey}")
    s["mic"] = device
    longest = int(min(limit or _ui.settings().max_seconds, _ui.settings().max_seconds))
    if limit:
        seconds = longest
        st.caption(f"Records for the time limit: {_ui.fmt_seconds(seconds)}.")
    else:
        seconds = st.number_input("Record for (seconds)", min_value=5, max_value=longest,
                                  value=min(int(question.get("suggested_seconds") or 90),
                                            longest),
                                  key=f"micsecs:{wkey}")
    if st.button("Record now", type="primary", key=f"micrec:{wkey}"):
        try:
            data = _ui.record_locally(device, float(seconds))
        except InterviewError as exc:
            _ui.show_error(exc, "Recording failed")
            return
        submit(audio=data, filename="microphone.wav", source="microphone")


def _submit(store, sess, pos: int, *, audio: bytes | None = None, filename: str | None = None,
            text: str | None = None, source: str, take: str | None = None, timing=None,
            parent=None, follow_up_text: str | None = None) -> None:
    """Save the take first (on disk and committed), only then mark it handled, then
    transcribe (with progress), measure and score it. ``parent``: the main answer when this
    is the answer to its follow-up (``follow_up_text``); ``timing``: a timed take's timers.

    A rerun can abandon this run at any Streamlit call; none is made between the save and
    the mark, so a take is either saved and marked, or neither (then the next run saves it).
    An interruption after that leaves a saved answer that shows its Retry."""
    from interview.practice import process_answer, save_answer, save_follow_up

    s = _state()
    try:
        if parent is not None:
            answer = save_follow_up(store, parent.id, follow_up_text or "", audio=audio,
                                    filename=filename, text=text, source=source, timing=timing)
        else:
            question = sess.questions[pos - 1] if pos <= len(sess.questions) else None
            answer = save_answer(store, sess.id, pos, question, audio=audio, filename=filename,
                                 text=text, source=source, timing=timing)
    except InterviewError as exc:
        _ui.show_error(exc, "The answer could not be saved")
        return
    if take is not None:
        s["handled_uploads"].add(take)
    s["again"].discard(f"{sess.id}:{pos}")
    # a model that cannot load still leaves the recording saved, as a failed answer
    transcriber = _ui.answer_transcriber() if audio is not None else None
    try:
        options = _ui.answer_options()  # this user's own settings, passed with the call
        duration = (_ui.audio_duration(audio, options["max_seconds"]) if audio is not None
                    else None)
        with _ui.progress_status("Transcribing and scoring your answer...", duration) as progress:
            answer = process_answer(store, answer, transcriber=transcriber,
                                    on_segment=progress.on_segment,
                                    question=(follow_up_text or None) if parent is not None
                                    else None, **options)
            progress.done(answer)
    except InterviewError as exc:
        _ui.show_error(exc, "The answer is saved but could not be processed")
        return
    _answered(sess, pos, answer, parent)
    st.rerun()


def _answered(sess, pos: int, answer, parent=None) -> None:
    """After an answer is scored: the interview moves on (unless the interviewer's
    follow-up comes first, in show_answer)."""
    _state()["again"].discard(f"{sess.id}:{pos}")
    question = sess.questions[pos - 1] if pos <= len(sess.questions) else {}
    fmt = _formats.session_format(sess)
    if sess.mode == "interview" and answer.status == "scored" and (
            parent is not None or not fmt.recorded_follow_ups or not question.get("follow_ups")):
        _go_next(pos)  # otherwise the interviewer's follow-up comes first (show_answer)


def live_recorder(sess, pos: int, submit, parent=None, follow_up_text: str | None = None):
    """A function drawing the streaming recorder for this take:
    ``draw(key, *, timing, read_seconds=, answer_seconds=, warning_seconds=, auto_start=)``
    (the timed formats give their timers; see ``app_pages/_live.py``)."""
    from app_pages import _live

    def draw(key: str, *, timing, **timers) -> None:
        _live.live_answer(
            key, session_id=sess.id, position=pos,
            question=None if parent is not None else sess.questions[pos - 1],
            submit=submit, handled=_state()["handled_uploads"],
            on_done=lambda answer: _answered(sess, pos, answer, parent), timing=timing,
            captions=live_captions(sess), parent_answer_id=parent.id if parent else None,
            follow_up_text=follow_up_text, **timers)
    return draw


def _stream_timing(sess, question: dict, follow_up: bool):
    """How a streamed take's timing is read off the recorder (see _formats.take_timing)."""
    from interview.formats import AnswerTiming

    if follow_up or not _formats.session_format(sess).timed:
        return lambda take: AnswerTiming(answer_seconds=take.answer_seconds,
                                         timed_out=take.timed_out, started_at=take.started_at)
    fmt = _formats.session_format(sess)
    return lambda take: _formats.take_timing(take, fmt, question)


def live_captions(sess) -> bool:
    """Whether live captions show while recording: the toggle at the top of the session, on
    by default unless the format is timed (SVI, MMI: as on the day) or Settings turn them off."""
    key = f"captions_on:{sess.id}"
    if key not in st.session_state:
        st.session_state[key] = bool(not _formats.session_format(sess).timed
                                     and _ui.settings().live_captions)
    return bool(st.session_state[key])


def show_answer(store, sess, answer, pos: int, total: int) -> None:
    """The stored answer: its feedback (practice mode), or its failure with Retry."""
    s = _state()
    key = f"{sess.id}:{pos}"
    if answer.status != "scored":
        _failed_answer(store, answer)
    elif sess.mode == "practice":
        _ui.render_answer_feedback(store, answer)
    else:
        st.success("Answer saved. Feedback comes at the end of the interview.")
    fmt = _formats.session_format(sess)
    if answer.status == "scored":
        if fmt.recorded_follow_ups and sess.questions[pos - 1].get("follow_ups"):
            if not recorded_follow_up(store, sess, answer, pos):
                return  # the follow-up is being answered
        elif sess.mode == "practice":
            follow_up(sess.questions[pos - 1], sess.mode)

    attempts = sess.attempts.get(pos, [])
    if len(attempts) > 1:
        _ui.render_attempts(attempts)

    c1, c2, _ = st.columns([1, 1, 3])
    if fmt.one_take:
        c1.caption("One take, as on the day.")
    elif c1.button("Record again", key=f"again:{key}", icon=":material/replay:"):
        s["again"].add(key)
        s["nonce"][key] = _nonce(sess.id, pos) + 1
        st.rerun()
    label = "Next question" if pos < total else "Finish"
    if c2.button(label, key=f"next:{key}", type="primary", icon=":material/arrow_forward:"):
        _go_next(pos)
        if pos >= total:
            store.finish_session(sess.id)
        st.rerun()


def _failed_answer(store, answer) -> None:
    """Why the answer has no feedback, and a Retry that starts again from the saved audio."""
    if answer.status == "failed":
        st.error(f"This answer could not be processed: {answer.error}", icon=":material/error:")
    else:
        st.warning("This answer was saved but not processed yet (the app may have been "
                   "closed while it was being transcribed).", icon=":material/hourglass:")
    if answer.audio_path:
        path = store.audio_file(answer)
        if path and path.is_file():
            st.caption("Your recording is saved:")
            st.audio(str(path))
    if st.button("Retry", key=f"retry:{answer.id}", type="primary", icon=":material/refresh:"):
        retry(store, answer.id)


def retry(store, answer_id: str) -> None:
    from interview.practice import retry_answer

    answer = store.get_answer(answer_id)
    transcriber = _ui.answer_transcriber() if answer.audio_path else None
    try:
        with _ui.progress_status("Retrying from the saved recording...") as progress:
            answer = retry_answer(store, answer_id, transcriber=transcriber,
                                  on_segment=progress.on_segment, **_ui.answer_options())
            progress.done(answer)
    except InterviewError as exc:
        _ui.show_error(exc, "Retry failed")
        return
    st.rerun()


def session_end(store, sess) -> None:
    """The end of the session: all feedback (interview mode) and the way to the summary."""
    st.success("That's the end of this session. Well done for practising out loud.")
    if sess.finished_at is None:
        store.finish_session(sess.id)
    if sess.mode == "interview":
        st.subheader("Feedback on each answer")
        for answer in sess.answers:
            with st.expander(f"Q{answer.position}. {answer.question_text}",
                             expanded=answer.position == 1):
                if answer.status == "scored":
                    _ui.render_answer_feedback(store, answer)
                else:
                    _failed_answer(store, answer)
                for reply in answer.follow_up_answers:
                    st.markdown(f"##### Follow-up: {_ui.plain(reply.question_text)}")
                    if reply.status == "scored":
                        _ui.render_answer_feedback(store, reply)
                    else:
                        _failed_answer(store, reply)
    unanswered = [i + 1 for i in range(len(sess.questions)) if sess.answer_at(i + 1) is None]
    if unanswered:
        st.info("Not answered: question " + ", ".join(map(str, unanswered)) + ".")
    c1, c2 = st.columns(2)
    if c1.button("See the session summary", type="primary", key="to_summary"):
        st.session_state["summary_request"] = sess.id
        st.switch_page("app_pages/summary.py")
    if c2.button("Start a new session", key="new_session"):
        close_session()
        st.rerun()
