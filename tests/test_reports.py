"""Session reports rendered from real stored sessions (real SQLite, real scoring, real Jinja2).

Golden structure: the sections and per-answer blocks are present, the coach's comments and
overrides (automatic score kept beside the override) appear, hostile text is escaped, and the
Markdown and JSON have the expected shape.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from coach_data import STRONG_US, WEAK_US, Answer, fixture_audio, store_session
from interview.errors import NotFound, TemplateError
from interview.reports import (
    REPORT_FORMAT,
    build_report,
    md_escape,
    render,
    render_html,
    render_json,
    render_markdown,
)
from interview.storage import Store

from conftest import ROOT

HOSTILE = "I led the team <script>alert('x')</script> and, um, we improved handoffs with ERAS."


class _Outline(HTMLParser):
    """Collects headings, element ids/classes and script tags of an HTML page."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.ids: list[str] = []
        self.classes: list[str] = []
        self.tags: list[str] = []
        self.external: list[str] = []
        self._in: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        self.classes.extend((a.get("class") or "").split())
        for key in ("src", "href"):
            if a.get(key) and not a[key].startswith(("data:", "#")):
                self.external.append(a[key])
        if tag in ("h1", "h2", "h3", "h4"):
            self._in, self._buf = tag, []

    def handle_endtag(self, tag):
        if tag == self._in:
            self.headings.append((tag, " ".join("".join(self._buf).split())))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)


def outline(html: str) -> _Outline:
    p = _Outline()
    p.feed(html)
    return p


@pytest.fixture
def store(data_dir):
    with Store.open() as s:
        yield s


@pytest.fixture
def reviewed(store):
    """Two sessions of one applicant; the second has a hostile typed answer, an audio
    answer, a coach comment containing <script>, an override and the reviewed mark."""
    first = store_session(store, [Answer(WEAK_US, category="personal"),
                                  Answer(WEAK_US, category="us_system")])
    second = store_session(store, [
        Answer(STRONG_US, category="personal", audio=fixture_audio(), filename="answer.wav"),
        Answer(HOSTILE, category="us_system"),
    ])
    a1, a2 = second.answers
    store.add_comment(second.id, "Good structure. <script>steal()</script> & more", author="kim",
                      answer_id=a2.id)
    store.add_comment(second.id, "Overall a big step up from last time.", author="kim")
    crit = a1.criteria[0]
    new = 1 if crit["score"] != 1 else 5
    store.set_override(a1.id, crit["id"], new, reason="Too long <b>for</b> an opener", author="kim")
    store.mark_reviewed(second.id, "kim")
    return first, store.get_session(second.id), crit, new


def test_html_golden_structure(store, reviewed):
    first, second, crit, new = reviewed
    html = render_html(build_report(store, second.id))
    o = outline(html)
    assert [h for t, h in o.headings if t == "h1"] == ["Interview practice report"]
    assert [h for t, h in o.headings if t == "h2"] == [
        "Session summary", "Compared with previous sessions", "Answers",
        "Coach comments on the session",
    ]
    assert [h for t, h in o.headings if t == "h3"][:2] == [
        "Question 1 · Personal and motivation", "Question 2 · U.S. health system"]
    assert {"summary", "comparison", "answers", "answer-1", "answer-2"} <= set(o.ids)
    assert o.classes.count("answer") == 2
    assert o.classes.count("transcript") == 2
    # self-contained: one inline <style>, print CSS, no external resources, no scripts
    assert "style" in o.tags and "@media print" in html
    assert o.external == [] and "script" not in o.tags
    # program, applicant, review
    assert "Riverside Internal Medicine" in html and "Amina Diallo" in html
    assert "reviewed by kim" in html


def test_html_escapes_script_in_answer_and_comment(store, reviewed):
    _, second, _, _ = reviewed
    html = render_html(build_report(store, second.id))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in html  # the typed answer, shown as text
    assert "&lt;script&gt;steal()&lt;/script&gt; &amp; more" in html  # the comment
    assert "Too long &lt;b&gt;for&lt;/b&gt; an opener" in html  # the override reason


def test_html_highlights_fillers_and_local_terms(store, reviewed):
    _, second, _, _ = reviewed
    html = render_html(build_report(store, second.id))
    answer2 = html[html.index('id="answer-2"'):]
    transcript = answer2[answer2.index('class="transcript"'):answer2.index("</div>")]
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", transcript)
    assert any(m.lower() == "um" for m in marks), marks
    assert any("ERAS" in m for m in marks), marks


def test_report_shows_override_beside_automatic_score(store, reviewed):
    _, second, crit, new = reviewed
    report = build_report(store, second.id)
    c = next(c for c in report.answers[0].criteria if c.id == crit["id"])
    assert c.auto_score == crit["score"]
    assert c.override.score == new and c.score == new
    assert c.override.reason == "Too long <b>for</b> an opener" and c.override.by == "kim"
    html = render_html(report)
    row = re.search(rf"<td>{re.escape(crit['name'])}</td>\s*<td>{crit['score']}</td>\s*<td><span class=\"override\">{new}</span>", html)
    assert row, "automatic and override scores in one row"


def test_comparison_with_previous_session(store, reviewed):
    first, second, _, _ = reviewed
    report = build_report(store, second.id)
    assert [p["id"] for p in report.comparison.previous] == [first.id]
    assert report.comparison.deltas
    for d in report.comparison.deltas:
        if d.previous is not None and d.current is not None:
            assert d.delta == round(d.current - d.previous, 2)
    # the strong answer beats the weak session somewhere
    assert any((d.delta or 0) > 0 for d in report.comparison.deltas)
    # the progress table: every session up to this one, this one last
    assert [p["id"] for p in report.comparison.progress] == [first.id, second.id]
    assert [p["current"] for p in report.comparison.progress] == [False, True]
    assert report.comparison.progress[-1]["overall"] == second.overall
    html = render_html(report)
    assert "<h4>Progress over sessions</h4>" in html and "(this session)" in html
    md = render_markdown(report)
    assert "**Progress over sessions**" in md
    # the first session has nothing to compare with
    first_report = build_report(store, first.id)
    assert first_report.comparison.previous == [] and first_report.comparison.deltas == []
    assert "first stored session" in render_html(first_report)


def test_summary_section_from_interview_summary(store, reviewed):
    from interview.summary import summarise_session

    _, second, _, _ = reviewed
    report = build_report(store, second.id)
    expected = summarise_session(store.get_session(second.id))
    assert report.summary.overall == expected.overall
    assert [c["id"] for c in report.summary.criteria] == [c.id for c in expected.criteria]
    assert len(report.summary.focus) == len(expected.work_on)


def test_markdown_shape_and_escaping(store, reviewed):
    _, second, crit, new = reviewed
    md = render_markdown(build_report(store, second.id))
    headings = re.findall(r"(?m)^(#{1,4}) (.+)$", md)
    assert headings[0] == ("#", "Interview practice report")
    assert [h for lvl, h in headings if lvl == "##"] == [
        "Session summary", "Compared with previous sessions", "Answers",
        "Coach comments on the session"]
    assert sum(1 for lvl, h in headings if lvl == "###") == 2
    assert sum(1 for lvl, h in headings if h.startswith("Transcript")) == 2
    assert "<script>" not in md and r"\<script\>" in md
    assert "~~um~~" in md.lower()  # a filler marked
    assert "| Criterion | Automatic | Coach override | Band |" in md
    assert f"**{new}** — Too long \\<b\\>for\\</b\\> an opener" in md
    assert "\n\n\n" not in md


def test_json_shape(store, reviewed):
    _, second, crit, new = reviewed
    data = json.loads(render_json(build_report(store, second.id)))
    assert data["format"] == REPORT_FORMAT and data["version"] == 1
    assert set(data) >= {"session", "applicant", "program", "answers", "summary", "comparison",
                         "session_comments", "generated_at"}
    assert data["session"]["id"] == second.id and data["session"]["reviewed"] is True
    a1, a2 = data["answers"]
    assert a2["text"] == HOSTILE  # raw text in JSON; escaping is the renderer's job
    c = next(c for c in a1["criteria"] if c["id"] == crit["id"])
    assert c["auto_score"] == crit["score"] and c["override"]["score"] == new and c["score"] == new
    assert a2["comments"][0]["author"] == "kim"
    assert {f["key"] for f in a1["delivery"]} >= {"word_count"}


def test_audio_embedded_only_when_asked(store, reviewed):
    _, second, _, _ = reviewed
    report = build_report(store, second.id)
    assert "<audio" not in render_html(report)
    with_audio = render_html(report, include_audio=True)
    assert with_audio.count("<audio") == 1  # only the recorded answer
    assert 'src="data:audio/' in with_audio
    import base64
    b64 = re.search(r'src="data:audio/[^;]+;base64,([^"]+)"', with_audio).group(1)
    assert base64.b64decode(b64) == fixture_audio()


def test_unknown_session_and_format(store):
    with pytest.raises(NotFound):
        build_report(store, "nope")


def test_broken_template_is_a_clear_error(store, reviewed, tmp_path, monkeypatch):
    _, second, _, _ = reviewed
    report = build_report(store, second.id)
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "report.html.j2").write_text("{% for x in %}")
    monkeypatch.setenv("INTERVIEW_TEMPLATES_DIR", str(tmp_path))
    with pytest.raises(TemplateError, match="line 1"):
        render_html(report)
    with pytest.raises(TemplateError, match="not found"):
        render_markdown(report)
    with pytest.raises(TemplateError, match="unknown report format"):
        render(report, "pdf")


def test_md_escape():
    assert md_escape("a *b* _c_ <i> | x") == r"a \*b\* \_c\_ \<i\> \| x"
    assert md_escape("- item\n12. thing") == "\\- item  \n12\\. thing"
    assert md_escape("18.2 and 3.5") == "18.2 and 3.5"


# ---------------------------------------------------------------------------- CLI
def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "interview", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_cli_report_formats(store, reviewed, tmp_path, data_dir):
    import os

    _, second, _, _ = reviewed
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(data_dir)}
    r = _cli("report", second.id, "--format", "md", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Interview practice report")
    r = _cli("report", second.id, "--format", "json", env=env)
    assert json.loads(r.stdout)["session"]["id"] == second.id
    out = tmp_path / "r.html"
    r = _cli("report", second.id, "-o", str(out), env=env)
    assert r.returncode == 0 and r.stdout == ""
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_cli_report_unknown_id(data_dir):
    import os

    r = _cli("report", "doesnotexist", env={**os.environ, "INTERVIEW_DATA_DIR": str(data_dir)})
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "doesnotexist" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ progress chart (SVG)
def _chart(html: str):
    """The progress chart of a rendered report, parsed as XML (so it must be well-formed)."""
    import xml.etree.ElementTree as ET

    m = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert m, "no inline SVG chart in the report"
    return m.group(0), ET.fromstring(m.group(0))


SVG = "{http://www.w3.org/2000/svg}"


def _series(svg):
    out = {}
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") == "series":
            points = [(float(e.get("data-score")), float(e.get("data-cx")), float(e.get("data-cy")))
                      for e in g if e.get("class") == "point"]
            out[g.get("data-criterion")] = (g.findall(f"{SVG}polyline"), points)
    return out


def test_progress_chart_one_series_per_criterion(store, reviewed):
    first, second, _, _ = reviewed
    third = store_session(store, [Answer(STRONG_US, category="personal"),
                                  Answer(STRONG_US, category="us_system")])
    report = build_report(store, third.id)
    html = render_html(report)
    section = html[html.index('id="comparison"'):html.index('id="answers"')]
    text, svg = _chart(section)
    # self-contained: no script, no external reference, no foreign elements
    assert "<script" not in text and "href" not in text and "url(" not in text
    series = _series(svg)
    scored = {cid for p in report.comparison.progress for cid in p["criteria"]}
    assert set(series) == scored == set(report.comparison.criteria)
    for cid, (lines, points) in series.items():
        assert len(lines) == 1
        expected = [p["criteria"][cid] for p in report.comparison.progress if cid in p["criteria"]]
        assert [s for s, _, _ in points] == pytest.approx(expected)
        assert len(lines[0].get("points").split()) == len(points) == 3
        # date order: left to right
        assert [x for _, x, _ in points] == sorted(x for _, x, _ in points)
    # distinct colours, one legend entry per criterion, axis titles, the current session marked
    colours = {lines[0].get("stroke") for lines, _ in series.values()}
    assert len(colours) == len(series)
    legend = [e for g in svg.iter(f"{SVG}g") if g.get("class") == "legend" for e in g.iter(f"{SVG}text")]
    assert sorted(e.text for e in legend) == sorted(report.comparison.criteria.values())
    assert "Score (1–5)" in text and "Session date" in text
    current = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "current-session"]
    assert len(current) == 1 and "this session" in "".join(current[0].itertext())
    # the band sits over the last (current) session's points
    band = current[0].find(f"{SVG}rect")
    last_x = next(iter(series.values()))[1][-1][1]
    assert float(band.get("x")) < last_x < float(band.get("x")) + float(band.get("width"))


def test_progress_chart_higher_score_is_drawn_higher(store, reviewed):
    _, second, _, _ = reviewed
    _, svg = _chart(render_html(build_report(store, second.id)))
    points = [pt for _, pts in _series(svg).values() for pt in pts]
    assert len({s for s, _, _ in points}) >= 2, "the fixture should give different scores"
    for s1, _, y1 in points:
        for s2, _, y2 in points:
            if s1 > s2:
                assert y1 < y2, (s1, y1, s2, y2)  # SVG y grows downwards
            elif s1 == s2:
                assert y1 == pytest.approx(y2)


def test_progress_chart_single_session_shows_points(store):
    only = store_session(store, [Answer(WEAK_US, category="personal"),
                                 Answer(STRONG_US, category="us_system")])
    report = build_report(store, only.id)
    html = render_html(report)
    assert "first stored session" in html
    _, svg = _chart(html)
    series = _series(svg)
    assert series and set(series) == set(report.comparison.criteria)
    for lines, points in series.values():
        assert lines == [] and len(points) == 1


def test_progress_chart_escapes_names(store):
    from interview.reports import progress_chart_svg

    only = store_session(store, [Answer(STRONG_US, category="personal")],
                         program="Mercy <script>alert(1)</script> IM")
    report = build_report(store, only.id)
    assert report.comparison.progress[0]["program"] == "Mercy <script>alert(1)</script> IM"
    cid = next(iter(report.comparison.criteria))
    report.comparison.criteria[cid] = 'Clarity <script>alert("c")</script> & "tone"'
    html = render_html(report)
    text, svg = _chart(html)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the program, in a point's title
    assert "Clarity &lt;script&gt;" in text  # the criterion, in the legend and titles
    assert any("<script>" in (e.text or "") for e in svg.iter(f"{SVG}title"))  # round-trips as text
    # the pure function returns Markup that Jinja2 will not escape again
    chart = progress_chart_svg(report.comparison.progress, report.comparison.criteria)
    assert hasattr(chart, "__html__") and str(chart).startswith("<svg")
    assert progress_chart_svg([], report.comparison.criteria) == ""


def test_report_shows_the_format_timers_and_follow_ups(store):
    """An MMI station answered over its time, with its follow-up answered aloud."""
    from interview.formats import AnswerTiming
    from interview.practice import start_session, submit_answer, submit_follow_up
    from interview.profile import make_profile

    who = store.get_or_add_applicant("Amina Diallo")
    sess = start_session(store, who.id, make_profile(name="Prairie FM", country="ca"),
                         format="mmi", question_ids=["mmi.impaired-colleague"])
    main = submit_answer(store, sess.id, 1, text=(
        "The issue is patient safety. First I would find out what happened and speak with my "
        "colleague privately. I would involve the attending and document it."),
        timing=AnswerTiming(read_seconds=95, answer_seconds=420, timed_out=True,
                            read_limit=120, answer_limit=420))
    reply = submit_follow_up(store, main.id, "What if the colleague asks you to keep it private?",
                             text="I would explain kindly that patient safety comes first and "
                                  "offer to go with him to the physician health program.",
                             timing=AnswerTiming(answer_seconds=65))
    assert reply.status == "scored"
    report = build_report(store, sess.id)
    md = render_markdown(report)
    assert "MMI stations" in md
    assert "_Timing: Read 1:35 of 2:00 · answered 7:00 of 7:00, stopped at the time limit._" in md
    assert "#### Follow-up: What if the colleague asks you to keep it private?" in md
    assert "physician health program" in md and "_Timing: Answered 1:05._" in md
    html = render_html(report)
    o = outline(html)
    assert "Follow-up: What if the colleague asks you to keep it private?" in [h for _t, h in o.headings]
    assert "stopped at the time limit" in html and "MMI stations" in html
    data = json.loads(render_json(report))
    assert data["session"]["format"] == "mmi"
    (a,) = data["answers"]
    assert a["timing"] == {"read_seconds": 95.0, "answer_seconds": 420.0, "read_limit": 120.0,
                           "answer_limit": 420.0, "timed_out": True}
    (f,) = a["follow_ups"]
    assert f["question_text"].startswith("What if") and f["overall"] is not None
    assert any(c["score"] is not None for c in f["criteria"])


def test_range_keeps_decimals_and_not_assessed_criteria_say_so(store):
    """A criterion scored on one answer shows its own score as the range ("3.6–3.6", not
    "4–4"); a criterion the question does not assess reads "not assessed", not "None"."""
    session = store_session(store, [Answer(STRONG_US, category="personal")])
    report = build_report(store, session.id)
    md, html = render_markdown(report), render_html(report)
    for c in report.summary.criteria:
        assert f'{c["lowest"]:.1f}–{c["highest"]:.1f}' in md
        assert f'{c["lowest"]:.1f}–{c["highest"]:.1f}' in html
    skipped = [c for a in report.answers for c in a.criteria if c.auto_score is None]
    assert skipped, "expected a criterion the question does not assess"
    assert "not assessed" in md and "not assessed" in html
    assert "| None |" not in md and "<td>None</td>" not in html
    data = json.loads(render_json(report))
    assert any(c["score"] is None and c["auto_score"] is None for c in data["answers"][0]["criteria"])
