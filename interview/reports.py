"""Session reports for coaches and applicants: one model, three renderings (HTML, Markdown, JSON).

:func:`build_report` reads a stored session (with its applicant, program, answers, coach
comments, score overrides and review) and the applicant's earlier sessions, and returns a
:class:`Report` — plain records, no markup. :func:`render_html` and :func:`render_markdown`
render it with the Jinja2 templates in ``templates/report/`` (a coach can edit them without
code); :func:`render_json` dumps the model.

The HTML is self-contained (styles in the document, no external resources), prints cleanly to
PDF from a browser, and can embed each answer's audio as a ``data:`` URI
(``include_audio=True``). Autoescaping is on: a transcript, a typed answer or a coach comment
containing ``<script>`` shows as text. The transcript's highlighting comes from
:func:`interview.highlight.highlight_html`, which returns pre-escaped markup.

Pure core: no Streamlit. It reads audio files only when asked to embed them.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .errors import TemplateError
from .paths import templates_dir
from .progress import category_label

#: format marker and version of the JSON report (and of :meth:`Report.to_dict`)
REPORT_FORMAT = "img-interview-coach/report"
REPORT_VERSION = 1
FORMATS = ("html", "md", "json")

#: delivery figures shown per answer: metrics key -> (label, format)
DELIVERY_FIGURES: list[tuple[str, str, str]] = [
    ("words_per_minute", "Speaking rate", "{:.0f} words per minute"),
    ("filler_per_minute", "Filler words per minute", "{:.1f}"),
    ("filler_count", "Filler words", "{:d}"),
    ("filler_per_100_words", "Filler words per 100 words", "{:.1f}"),
    ("hedge_count", "Hedges (I think, maybe...)", "{:d}"),
    ("longest_pause", "Longest pause", "{:.1f} s"),
    ("pauses_over_2s", "Pauses over 2 s", "{:d}"),
    ("length_seconds", "Length", "{:.0f} s"),
    ("suggested_seconds", "Suggested length", "{:.0f} s"),
    ("length_verdict", "Length against the suggested time", "{}"),
    ("word_count", "Words", "{:d}"),
]

#: evidence kinds highlighted in the transcript
HIGHLIGHT_KINDS = ("filler", "local_term")


# ---------------------------------------------------------------------------------- model
@dataclass
class Override:
    """A coach's score for one criterion, kept beside the automatic score."""

    score: int
    reason: str
    by: str = ""
    at: str = ""


@dataclass
class CriterionView:
    id: str
    name: str
    auto_score: int | float | None
    band: str = ""
    override: Override | None = None
    evidence: list[dict] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """The effective score: the coach's override if any, else the automatic score."""
        return self.override.score if self.override else self.auto_score


@dataclass
class CommentView:
    text: str
    author: str = ""
    created_at: str = ""


@dataclass
class DeliveryFigure:
    key: str
    label: str
    value: str
    raw: float | int | None = None


@dataclass
class AnswerView:
    index: int
    answer_id: str
    question_text: str
    question_id: str = ""
    category: str = ""
    category_label: str = ""
    text: str = ""
    #: every evidence span of the answer (offsets into ``text``), for highlighting
    evidence: list[dict] = field(default_factory=list)
    overall: float | None = None
    criteria: list[CriterionView] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    comments: list[CommentView] = field(default_factory=list)
    audio_path: str | None = None
    #: how the take was timed (interview.formats): read_seconds, answer_seconds (from the
    #: real start of recording), read_limit, answer_limit, timed_out; empty when untimed
    timing: dict = field(default_factory=dict)
    #: the answers to the interviewer's follow-ups, shown with this answer
    follow_ups: list["AnswerView"] = field(default_factory=list)

    @property
    def timing_text(self) -> str:
        """"Read 0:28 of 0:30 · answered 3:00 of 3:00, stopped at the time limit"."""
        return timing_text(self.timing)

    @property
    def delivery(self) -> list[DeliveryFigure]:
        return delivery_figures(self.metrics)

    @property
    def presence(self):
        """On-camera figures of a video answer (interview.presence.PresenceReport), or None."""
        data = (self.metrics or {}).get("presence")
        if not data:
            return None
        from .presence import PresenceReport

        return PresenceReport.from_dict(data)

    @property
    def presence_figures(self) -> list[DeliveryFigure]:
        p = self.presence
        if p is None:
            return []
        return [DeliveryFigure("eye_contact", "Eye contact", f"{p.eye_contact * 100:.0f} %",
                               p.eye_contact),
                DeliveryFigure("face_in_frame", "Face in frame", f"{p.face_in_frame * 100:.0f} %",
                               p.face_in_frame),
                DeliveryFigure("longest_look_away_s", "Longest look away",
                               f"{p.longest_look_away_s:.1f} s", p.longest_look_away_s)]

    @property
    def presence_timeline(self) -> Markup:
        """The look-away timeline as inline SVG (escaped labels, no script)."""
        from .presence import timeline_svg

        p = self.presence
        return Markup(timeline_svg(p)) if p is not None else Markup("")

    @property
    def transcript_html(self) -> Markup:
        return highlight_transcript_html(self.text, self.evidence)

    @property
    def transcript_md(self) -> str:
        return mark_markdown(self.text, self.evidence)


@dataclass
class SummaryView:
    overall: float | None = None
    #: [{id, name, score, band}]
    criteria: list[dict] = field(default_factory=list)
    #: {index, question, overall} or None
    strongest: dict | None = None
    weakest: dict | None = None
    focus: list[str] = field(default_factory=list)
    delivery: list[DeliveryFigure] = field(default_factory=list)
    answered: int = 0
    scored: int = 0
    failed: int = 0


@dataclass
class Delta:
    id: str
    name: str
    previous: float | None
    current: float | None

    @property
    def delta(self) -> float | None:
        if self.previous is None or self.current is None:
            return None
        return round(self.current - self.previous, 2)


@dataclass
class Comparison:
    #: earlier sessions of the same applicant, oldest first: [{id, date, overall}]
    previous: list[dict] = field(default_factory=list)
    #: per criterion: this session's mean against the most recent earlier session's mean
    deltas: list[Delta] = field(default_factory=list)
    #: question categories of the bank this applicant has not practised yet
    not_practised: list[str] = field(default_factory=list)
    #: every session up to this one, oldest first, for the progress table:
    #: [{id, date, program, overall, criteria: {id: score}, wpm, fillers_per_min, current}]
    #: (just this session when there is no earlier one)
    progress: list[dict] = field(default_factory=list)
    #: criterion id -> name for the progress chart, in the order the rubric lists them
    criteria: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    session: dict
    applicant: dict
    program: dict
    answers: list[AnswerView] = field(default_factory=list)
    summary: SummaryView = field(default_factory=SummaryView)
    comparison: Comparison = field(default_factory=Comparison)
    #: comments on the session as a whole (not on one answer)
    session_comments: list[CommentView] = field(default_factory=list)
    generated_at: str = field(default_factory=lambda: _now_iso())
    version: int = REPORT_VERSION

    def to_dict(self) -> dict:
        """JSON-ready dict: the model plus derived figures (effective scores, deltas)."""
        d = asdict(self)
        d = {"format": REPORT_FORMAT, **d}
        for a_view, a_dict in zip(self.answers, d["answers"]):
            a_dict["delivery"] = [asdict(f) for f in a_view.delivery]
            for c_view, c_dict in zip(a_view.criteria, a_dict["criteria"]):
                c_dict["score"] = c_view.score
            a_dict["timing_text"] = a_view.timing_text
            for f_view, f_dict in zip(a_view.follow_ups, a_dict["follow_ups"]):
                f_dict["timing_text"] = f_view.timing_text
                for c_view, c_dict in zip(f_view.criteria, f_dict["criteria"]):
                    c_dict["score"] = c_view.score
        for dv, dd in zip(self.comparison.deltas, d["comparison"]["deltas"]):
            dd["delta"] = dv.delta
        return d


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def format_date(value: Any) -> str:
    """A readable date-time ('2025-03-01 14:05') from a datetime or ISO string ('' if None)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


# -------------------------------------------------------------------------- derived data
def delivery_figures(metrics: dict | None) -> list[DeliveryFigure]:
    """The delivery figures present in ``metrics``, labelled and formatted."""
    out = []
    for key, label, fmt in DELIVERY_FIGURES:
        value = (metrics or {}).get(key)
        if value is None or isinstance(value, (dict, list, bool)):
            continue
        try:
            if isinstance(value, str):
                text = value
            else:
                text = fmt.format(int(round(value)) if "{:d}" in fmt else float(value))
        except (TypeError, ValueError):
            continue
        if key == "length_seconds" and (metrics or {}).get("length_estimated"):
            text += " (estimated from the word count)"
        out.append(DeliveryFigure(key=key, label=label, value=text, raw=value))
    return out


def _spans(text: str, evidence: Iterable[dict], kinds: Iterable[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) pieces inside ``text``, earliest first.

    Overlapping evidence is cut by the same algorithm as the app's highlighter
    (:func:`interview.text.layer_spans`): each piece takes its most specific (shortest) kind.
    """
    from .text import layer_spans

    kinds = set(kinds)
    spans = [(int(e["start"]), int(e["end"]), e.get("kind", ""))
             for e in evidence
             if e.get("kind") in kinds and e.get("start") is not None and e.get("end") is not None]
    out: list[tuple[int, int, str]] = []
    for layer in layer_spans(len(text), spans):
        if not layer.spans:
            continue
        if out and out[-1][1] == layer.start and out[-1][2] == layer.spans[0]:
            out[-1] = (out[-1][0], layer.end, layer.spans[0])  # one mark, not "**a****b**"
        else:
            out.append((layer.start, layer.end, layer.spans[0]))
    return out


def highlight_transcript_html(text: str, evidence: list[dict]) -> Markup:
    """The transcript as escaped HTML with fillers and local-system terms marked.

    Uses the scoring module's :func:`interview.highlight.highlight_html`, which escapes the
    text itself and returns markup.
    """
    from . import highlight  # scoring helper's module

    html = highlight.highlight_html(text or "", evidence, kinds=HIGHLIGHT_KINDS)
    return Markup(html)


def legend_html() -> Markup:
    from . import highlight

    return Markup(highlight.legend_html(HIGHLIGHT_KINDS))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(value: Any) -> str:
    """Escape Markdown (and raw HTML) so that the text renders as itself: a typed
    ``<script>`` stays text, ``*`` and ``_`` do not turn into emphasis, ``|`` does not
    break a table."""
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;")
    # a line starting with "- ", "+ ", "= " or "12. " would become a list or heading
    text = re.sub(r"(?m)^(\s*)([-+=])(?=\s|$)", r"\1\\\2", text)
    text = re.sub(r"(?m)^(\s*\d+)\.(?=\s|$)", r"\1\\.", text)
    return text.replace("\r\n", "\n").replace("\n", "  \n")


def mark_markdown(text: str, evidence: list[dict]) -> str:
    """The transcript in Markdown: ~~fillers~~ and **local-system terms**, the rest escaped."""
    text = text or ""
    out, pos = [], 0
    for start, end, kind in _spans(text, evidence, HIGHLIGHT_KINDS):
        out.append(md_escape(text[pos:start]))
        inner = md_escape(text[start:end])
        out.append(f"~~{inner}~~" if kind == "filler" else f"**{inner}**")
        pos = end
    out.append(md_escape(text[pos:]))
    return "".join(out)


def audio_data_uri(path: str | Path | None, *, video: bool = False) -> str | None:
    """The audio (or, for a video answer, the video) file as a ``data:`` URI (None if missing)."""
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        return None
    mime = mimetypes.guess_type(p.name)[0] or "audio/wav"
    if p.suffix.lower() == ".webm":
        mime = "video/webm" if video else "audio/webm"
    return f"data:{mime};base64," + base64.b64encode(p.read_bytes()).decode("ascii")


# ------------------------------------------------------------------------------ rendering
def _environment(autoescape: bool) -> SandboxedEnvironment:
    """The report templates' environment: Jinja2's sandbox (a coach-edited template cannot
    reach Python internals such as ``cycler.__init__.__globals__``), strict variables, and
    HTML autoescaping for the HTML report (the Markdown report escapes with ``|md``)."""
    folder = templates_dir() / "report"
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        # HTML: drop the newline after a block tag; Markdown keeps it (line structure
        # matters) and blank-line runs are collapsed after rendering
        trim_blocks=autoescape,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


def _render(template: str, autoescape: bool, **context: Any) -> str:
    try:
        return _environment(autoescape).get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"report template {exc.name!r} not found in {templates_dir() / 'report'}; "
            "restore it from the repository or set INTERVIEW_TEMPLATES_DIR"
        ) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"report template {exc.filename or template} line {exc.lineno}: {exc.message}; "
            "fix the template"
        ) from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"report template {template}: {exc.message}; fix the template") from exc
    except SecurityError as exc:
        raise TemplateError(f"report template {template} tried something unsafe ({exc}); "
                            "templates may only use the report's data; fix the template") from None


def render_html(report: Report, *, include_audio: bool = False) -> str:
    """The report as one self-contained HTML page (audio players embedded if asked)."""
    answers = []
    for a in report.answers:
        answers.append(_AnswerContext(a, audio_data_uri(a.audio_path, video=a.presence is not None)
                                      if include_audio else None))
    return _render(
        "report.html.j2", True,
        r=_ReportContext(report, answers), legend=legend_html(),
    )


def render_markdown(report: Report) -> str:
    """The report as Markdown (no audio)."""
    text = _render("report.md.j2", False, r=report)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_json(report: Report) -> str:
    """The report model as indented JSON."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def render(report: Report, fmt: str, *, include_audio: bool = False) -> str:
    """Render in ``fmt`` ('html', 'md' or 'json')."""
    if fmt == "html":
        return render_html(report, include_audio=include_audio)
    if fmt in ("md", "markdown"):
        return render_markdown(report)
    if fmt == "json":
        return render_json(report)
    raise TemplateError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


class _AnswerContext:
    """An answer view plus its embedded audio, for the HTML template."""

    def __init__(self, answer: AnswerView, audio_uri: str | None):
        self._a = answer
        self.audio_uri = audio_uri

    def __getattr__(self, name: str) -> Any:
        return getattr(self._a, name)


class _ReportContext:
    def __init__(self, report: Report, answers: list[_AnswerContext]):
        self._r = report
        self.answers = answers
        self.progress_chart = progress_chart_svg(
            report.comparison.progress, report.comparison.criteria)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._r, name)


# ------------------------------------------------------------------------------- building
def _evidence_dicts(scores: dict | None) -> list[dict]:
    """Every evidence span of an answer's scores (deduplicated), for highlighting."""
    seen, out = set(), []
    items = list((scores or {}).get("evidence") or [])
    for c in (scores or {}).get("criteria") or []:
        items.extend(c.get("evidence") or [])
    for e in items:
        if not isinstance(e, dict):
            continue
        key = (e.get("start"), e.get("end"), e.get("kind"))
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


#: at most this many evidence quotes per criterion in the report (fillers can be many)
MAX_EVIDENCE = 6


def _criterion_evidence(items: list[dict]) -> list[dict]:
    out, seen = [], set()
    for e in items or []:
        if not isinstance(e, dict):
            continue
        key = ((e.get("label") or "").lower(), (e.get("text") or "").lower())
        if key in seen:
            continue
        seen.add(key)
        out.append({k: e.get(k) for k in ("text", "kind", "label", "start", "end")})
        if len(out) >= MAX_EVIDENCE:
            break
    return out


def _comment_view(c: Any) -> CommentView:
    return CommentView(text=c.body, author=c.author or "", created_at=format_date(c.created_at))


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def timing_text(timing: dict | None) -> str:
    """The timers of one take in words (empty when it was not timed)."""
    t = timing or {}
    parts = []
    if t.get("read_seconds") is not None:
        parts.append(f"read {_clock(t['read_seconds'])}"
                     + (f" of {_clock(t['read_limit'])}" if t.get("read_limit") else ""))
    if t.get("answer_seconds") is not None:
        parts.append(f"answered {_clock(t['answer_seconds'])}"
                     + (f" of {_clock(t['answer_limit'])}" if t.get("answer_limit") else ""))
    text = " · ".join(parts)
    if t.get("timed_out"):
        text += (", " if text else "") + "stopped at the time limit"
    return text[:1].upper() + text[1:] if text else ""


def answer_timing(answer: Any) -> dict:
    """The timers of a stored answer (only those it has), for :func:`timing_text`."""
    keys = ("read_seconds", "answer_seconds", "read_limit", "answer_limit")
    out = {k: getattr(answer, k, None) for k in keys if getattr(answer, k, None) is not None}
    if getattr(answer, "timed_out", False):
        out["timed_out"] = True
    return out


def answer_view(answer: Any, store: Any = None) -> AnswerView:
    """The report block of one stored answer (``interview.storage.AnswerRecord``)."""
    criteria = []
    for c in answer.criteria:
        o = answer.override(c.get("id"))
        criteria.append(CriterionView(
            id=c.get("id", ""),
            name=c.get("name") or c.get("id", ""),
            auto_score=c.get("score"),
            band=c.get("band") or "",
            override=Override(
                score=int(o.score) if float(o.score).is_integer() else o.score,
                reason=o.reason, by=o.author or "", at=format_date(o.created_at),
            ) if o else None,
            evidence=_criterion_evidence(c.get("evidence") or []),
            tips=[str(t) for t in (c.get("tips") or [])],
        ))
    audio = None
    if answer.audio_path:
        audio = str(store.audio_file(answer)) if store is not None else answer.audio_path
    return AnswerView(
        index=answer.position,
        answer_id=answer.id,
        question_text=answer.question_text,
        question_id=answer.question_id or "",
        category=answer.category or "",
        category_label=category_label(answer.category) if answer.category else "",
        text=answer.display_text,
        evidence=_evidence_dicts(answer.scores),
        overall=answer.final_overall,
        criteria=criteria,
        metrics=dict(answer.metrics or {}),
        comments=[_comment_view(c) for c in answer.comments],
        audio_path=audio,
        timing=answer_timing(answer),
        follow_ups=[answer_view(f, store) for f in getattr(answer, "follow_up_answers", [])],
    )


def _program_view(profile: Any) -> dict:
    if profile is None:
        return {"name": "(no program profile)", "country": "", "country_name": "", "region": "",
                "city": "", "specialty": "", "location": "", "features": []}
    from .profile import COUNTRY_NAMES, SPECIALTIES

    country_name = COUNTRY_NAMES.get(profile.country, profile.country or "")
    location = ", ".join(x for x in (profile.city, profile.region, country_name) if x)
    return {
        "name": profile.name, "country": profile.country, "country_name": country_name,
        "region": profile.region or "", "city": profile.city or "",
        "specialty": SPECIALTIES.get(profile.specialty or "", profile.specialty or ""),
        "location": location, "features": list(profile.features or []),
    }


def _summary_view(session: Any) -> SummaryView:
    """The session summary, from :func:`interview.summary.summarise_session` (which uses
    the coach's overrides)."""
    from .summary import summarise_session

    s = summarise_session(session)

    def brief(a: Any) -> dict | None:
        if a is None:
            return None
        return {"index": a.position, "question": a.question, "overall": a.overall}

    d = s.delivery
    delivery = [
        DeliveryFigure(key, label, fmt.format(value), value)
        for key, label, fmt, value in (
            ("words_per_minute", "Speaking rate (timed answers)", "{:.0f} words per minute", d.words_per_minute),
            ("fillers_per_minute", "Filler words per minute (timed answers)", "{:.1f}", d.fillers_per_minute),
            ("fillers_per_100_words", "Filler words per 100 words", "{:.1f}", d.fillers_per_100_words),
            ("longest_pause", "Longest pause", "{:.1f} s", d.longest_pause),
        )
        if value is not None
    ]
    return SummaryView(
        overall=s.overall,
        criteria=[{"id": c.id, "name": c.name, "score": c.mean, "lowest": c.lowest,
                   "highest": c.highest, "count": c.count} for c in s.criteria],
        strongest=brief(s.strongest),
        weakest=brief(s.weakest) if s.weakest is not None and s.strongest is not None
        and s.weakest.answer_id != s.strongest.answer_id else None,
        focus=[f"{f.name} (mean {f.mean:.1f}): {f.tip}" for f in s.work_on],
        delivery=delivery,
        answered=s.answered, scored=s.scored, failed=s.failed,
    )


def build_report(store: Any, session_id: str, *, bank: Any = None) -> Report:
    """The report of a stored session (latest attempt per question), with the coach's
    comments, overrides and review, the summary, and the comparison with the applicant's
    earlier sessions. Raises NotFound for an unknown id."""
    from .progress import applicant_progress, progress_from_sessions, session_point

    session = store.get_session(session_id)
    answers = [answer_view(a, store) for a in session.answers]
    applicant = session.applicant
    report = Report(
        session={
            "id": session.id, "date": format_date(session.created_at),
            "created_at": session.created_at.isoformat() if session.created_at else None,
            "finished_at": session.finished_at.isoformat() if session.finished_at else None,
            "mode": session.mode, "reviewed": session.reviewed,
            "format": session.format_id, "format_label": _format_label(session.format_id),
            "reviewed_at": format_date(session.reviewed_at),
            "reviewed_by": session.reviewed_by or "", "overall": session.overall,
        },
        applicant={
            "id": applicant.id if applicant else None,
            "name": applicant.name if applicant else "",
            "email": (applicant.email or "") if applicant else "",
            "coach_email": (applicant.coach_email or "") if applicant else "",
        },
        program=_program_view(session.profile),
        answers=answers,
        summary=_summary_view(session),
        session_comments=[_comment_view(c) for c in session.comments if c.answer_id is None],
    )
    # comparison with this applicant's earlier sessions
    current = session_point(session)
    if applicant is not None and session.created_at is not None:
        earlier = applicant_progress(store, applicant.id, bank=bank, until=session.created_at)
        everything = applicant_progress(store, applicant.id, bank=bank)
        not_practised = everything.not_practised
        points = [p for p in earlier.points if p.session_id != session.id]
    else:
        points, not_practised = [], []
        if session.profile is not None:
            not_practised = progress_from_sessions([session], _categories(session, bank)).not_practised
    report.comparison = comparison_from_points(current, points, _criterion_names(session, answers))
    report.comparison.not_practised = [category_label(c) for c in not_practised]
    report.comparison.progress = [
        {"id": p.session_id, "date": format_date(p.date), "program": p.program,
         "overall": p.overall, "criteria": dict(p.criteria), "wpm": p.wpm,
         "fillers_per_min": p.fillers_per_min, "current": p.session_id == session.id}
        for p in [*points, current]
    ]
    # chart series: this session's criteria, then any scored only in earlier sessions
    names = _criterion_names(session, answers)
    earlier_names = earlier.criteria if points else {}
    for p in points:
        for cid in p.criteria:
            names.setdefault(cid, earlier_names.get(cid) or cid)
    report.comparison.criteria = names
    return report


def _format_label(format_id: str) -> str:
    from .formats import FORMATS

    fmt = FORMATS.get(format_id)
    return fmt.label if fmt else format_id


def _categories(session: Any, bank: Any) -> list[str]:
    from .progress import bank_categories

    return bank_categories([session.profile.country] if session.profile else [], bank)


def _criterion_names(session: Any, answers: list[AnswerView]) -> dict[str, str]:
    names: dict[str, str] = {}
    for a in answers:
        for c in a.criteria:
            if c.score is not None:  # a criterion no answer was assessed on has no series
                names.setdefault(c.id, c.name)
    return names


def comparison_from_points(current: Any, previous: list[Any], names: dict[str, str]) -> Comparison:
    """Per-criterion deltas of ``current`` against the most recent earlier session that
    scored that criterion (points from :mod:`interview.progress`, oldest first)."""
    deltas = []
    ids = list(names) + [cid for cid in current.criteria if cid not in names]
    for cid in ids:
        prev = next((p.criteria[cid] for p in reversed(previous) if p.criteria.get(cid) is not None), None)
        deltas.append(Delta(id=cid, name=names.get(cid, cid), previous=prev,
                            current=current.criteria.get(cid)))
    return Comparison(
        previous=[{"id": p.session_id, "date": format_date(p.date), "overall": p.overall}
                  for p in previous],
        deltas=deltas if previous else [],
    )


# --------------------------------------------------------------------------- progress chart
#: series colours (Okabe-Ito, distinguishable with common colour-vision deficiencies and in
#: greyscale print together with the marker shapes)
CHART_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                 "#000000", "#8C6D1F")
#: marker shapes, cycled with the colours so series stay apart when printed in grey
CHART_MARKERS = ("circle", "square", "diamond", "triangle")
#: chart geometry in SVG user units (the SVG scales to the page width through its viewBox)
CHART_WIDTH = 640
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_HEIGHT = 56, 20, 40, 200
_LEGEND_ROW = 18
SCORE_MIN, SCORE_MAX = 1, 5


def _score_y(score: float) -> float:
    """The y coordinate of a score: 5 at the top of the plot, 1 at the bottom."""
    clamped = min(max(float(score), SCORE_MIN), SCORE_MAX)
    return _PLOT_TOP + (SCORE_MAX - clamped) / (SCORE_MAX - SCORE_MIN) * _PLOT_HEIGHT


def _marker(shape: str, x: float, y: float, r: float, colour: str, title: str, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    inner = f"<title>{escape(title)}</title>"
    style = f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "square":
        return (f'<rect class="point" x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
                f'height="{2 * r:.1f}" data-cx="{x:.1f}" data-cy="{y:.1f}" {style}{extra}>{inner}</rect>')
    if shape in ("diamond", "triangle"):
        if shape == "diamond":
            pts = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
        else:
            pts = [(x, y - r * 1.3), (x + r * 1.2, y + r), (x - r * 1.2, y + r)]
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        return (f'<polygon class="point" points="{coords}" data-cx="{x:.1f}" data-cy="{y:.1f}" '
                f'{style}{extra}>{inner}</polygon>')
    return (f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" data-cx="{x:.1f}" '
            f'data-cy="{y:.1f}" {style}{extra}>{inner}</circle>')


def progress_chart_svg(progress: list[dict], criteria: dict[str, str], *,
                       title: str = "Criterion scores across sessions") -> Markup:
    """An inline SVG line chart of each criterion's score (1-5) across sessions.

    ``progress`` is :attr:`Comparison.progress` (sessions oldest first, each with
    ``criteria: {id: score}``, ``date``, ``program`` and ``current``); ``criteria`` maps
    criterion ids to names (the series, in legend order). Each criterion is a ``<g
    class="series">`` with one ``<polyline>`` (when it has two or more scores) and one marker
    per scored session; a higher score is drawn higher. The current session is marked with a
    shaded band and "this session". A single session shows its points. No JavaScript, no
    external resources; every label is escaped. Returns ``Markup('')`` when nothing was scored.
    """
    sessions = list(progress or [])
    series = [(cid, name) for cid, name in (criteria or {}).items()
              if any(p.get("criteria", {}).get(cid) is not None for p in sessions)]
    if not sessions or not series:
        return Markup("")
    n = len(sessions)
    plot_w = CHART_WIDTH - _PLOT_LEFT - _PLOT_RIGHT
    step = plot_w / n
    xs = [_PLOT_LEFT + step * (i + 0.5) for i in range(n)]
    plot_bottom = _PLOT_TOP + _PLOT_HEIGHT
    # legend: two columns under the x-axis labels
    legend_top = plot_bottom + 58
    legend_rows = (len(series) + 1) // 2
    height = legend_top + legend_rows * _LEGEND_ROW + 6
    label = f"{title}: " + "; ".join(name for _, name in series)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" role="img" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="100%" preserveAspectRatio="xMidYMin meet" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="11" aria-label="{escape(label)}">',
        f"<title>{escape(title)}</title>",
    ]
    # the current session: a shaded column behind everything
    for i, p in enumerate(sessions):
        if p.get("current"):
            band = (f'<rect x="{xs[i] - step / 2:.1f}" y="{_PLOT_TOP - 26}" width="{step:.1f}" '
                    f'height="{_PLOT_HEIGHT + 26}" fill="#fff4cc" />') if n > 1 else ""
            out.append(
                f'<g class="current-session">{band}'
                f'<text x="{xs[i]:.1f}" y="{_PLOT_TOP - 12}" text-anchor="middle" fill="#52606d" '
                f'font-weight="bold">this session</text></g>')
    # y axis: grid line and label per score
    out.append('<g class="y-axis">')
    for s in range(SCORE_MIN, SCORE_MAX + 1):
        y = _score_y(s)
        out.append(f'<line x1="{_PLOT_LEFT}" x2="{_PLOT_LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#d9e2ec" stroke-width="1" />'
                   f'<text x="{_PLOT_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#52606d">{s}</text>')
    mid = _PLOT_TOP + _PLOT_HEIGHT / 2
    out.append(f'<text x="14" y="{mid:.1f}" text-anchor="middle" fill="#1f2933" '
               f'transform="rotate(-90 14 {mid:.1f})">Score (1–5)</text></g>')
    # x axis: one tick label per session (thinned when crowded), then the axis title
    every = max(1, -(-n // 10))
    out.append(f'<g class="x-axis"><line x1="{_PLOT_LEFT}" x2="{_PLOT_LEFT + plot_w}" '
               f'y1="{plot_bottom}" y2="{plot_bottom}" stroke="#9aa5b1" stroke-width="1" />')
    for i, p in enumerate(sessions):
        if i % every and i != n - 1 and not p.get("current"):
            continue
        date = str(p.get("date") or "")
        day, _, time = date.partition(" ")
        weight = ' font-weight="bold"' if p.get("current") else ""
        out.append(f'<text x="{xs[i]:.1f}" y="{plot_bottom + 15}" text-anchor="middle" '
                   f'fill="#1f2933"{weight}>{escape(day or f"#{i + 1}")}</text>')
        if time:
            out.append(f'<text x="{xs[i]:.1f}" y="{plot_bottom + 27}" text-anchor="middle" '
                       f'fill="#52606d" font-size="9">{escape(time)}</text>')
    out.append(f'<text x="{_PLOT_LEFT + plot_w / 2:.1f}" y="{plot_bottom + 44}" text-anchor="middle" '
               f'fill="#1f2933">Session date (oldest first)</text></g>')
    # one series per criterion
    for k, (cid, name) in enumerate(series):
        colour = CHART_COLOURS[k % len(CHART_COLOURS)]
        shape = CHART_MARKERS[k % len(CHART_MARKERS)]
        pts = [(xs[i], _score_y(sc), sc, p) for i, p in enumerate(sessions)
               if (sc := p.get("criteria", {}).get(cid)) is not None]
        out.append(f'<g class="series" data-criterion="{escape(cid)}" data-name="{escape(name)}">')
        if len(pts) >= 2:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in pts)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                       f'stroke-width="2" stroke-linejoin="round" />')
        for x, y, sc, p in pts:
            where = " · ".join(str(v) for v in (p.get("date"), p.get("program")) if v)
            r = 5.0 if p.get("current") else 4.0
            out.append(_marker(shape, x, y, r, colour, f"{name}: {sc:.1f} ({where})",
                               data_score=f"{sc:g}"))
        out.append("</g>")
    # legend
    out.append('<g class="legend">')
    col_w = (CHART_WIDTH - _PLOT_LEFT) / 2
    for k, (cid, name) in enumerate(series):
        colour = CHART_COLOURS[k % len(CHART_COLOURS)]
        shape = CHART_MARKERS[k % len(CHART_MARKERS)]
        x = _PLOT_LEFT + (k % 2) * col_w
        y = legend_top + (k // 2) * _LEGEND_ROW
        shown = name if len(name) <= 44 else name[:43] + "…"
        out.append(f'<line x1="{x:.1f}" x2="{x + 22:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{colour}" stroke-width="2" />')
        out.append(_marker(shape, x + 11, y, 3.5, colour, name).replace('class="point"', 'class="key"'))
        out.append(f'<text x="{x + 28:.1f}" y="{y + 4:.1f}" fill="#1f2933">{escape(shown)}'
                   f"<title>{escape(name)}</title></text>")
    out.append("</g></svg>")
    return Markup("".join(out))
