"""Report templates run in Jinja2's sandbox: a coach-edited (or planted) template cannot reach
Python internals. The attack of issue 11 (``cycler.__init__.__globals__.os.popen``) is tried
against the real render path, and shown to be live outside the sandbox."""

from __future__ import annotations

import jinja2
import pytest

from coach_data import STRONG_US, Answer, store_session
from interview.errors import TemplateError
from interview.reports import build_report, render_html, render_markdown
from interview.storage import Store

PAYLOAD = '{{ cycler.__init__.__globals__.os.popen("id").read() }}'


@pytest.fixture
def report(data_dir):
    with Store.open() as store:
        sess = store_session(store, [Answer(STRONG_US, category="personal")],
                             applicant="<img src=x onerror=alert(1)>")
        yield build_report(store, sess.id)


def _templates(tmp_path, monkeypatch, html: str, md: str = "") -> None:
    folder = tmp_path / "templates" / "report"
    folder.mkdir(parents=True)
    (folder / "report.html.j2").write_text(html, encoding="utf-8")
    (folder / "report.md.j2").write_text(md or html, encoding="utf-8")
    monkeypatch.setenv("INTERVIEW_TEMPLATES_DIR", str(tmp_path / "templates"))


def test_payload_is_live_outside_the_sandbox():
    """The payload is real: a plain Environment runs `id` (so the next test can fail)."""
    assert "uid=" in jinja2.Environment().from_string(PAYLOAD).render()


@pytest.mark.parametrize("render", [render_html, render_markdown])
def test_issue_payload_is_refused(report, tmp_path, monkeypatch, render):
    _templates(tmp_path, monkeypatch, PAYLOAD)
    with pytest.raises(TemplateError, match="unsafe"):
        render(report)


@pytest.mark.parametrize("expression", [
    '{{ cycler.__init__.__globals__.os.popen("touch CANARY").read() }}',
    '{{ joiner.__init__.__globals__.os.system("touch CANARY") }}',
    '{{ namespace.__init__.__globals__.os.system("touch CANARY") }}',
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ r.__class__.__init__.__globals__["json"] }}',
    '{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}',
    "{{ self._TemplateReference__context }}",
])
def test_other_escapes_are_refused_and_run_nothing(report, tmp_path, monkeypatch, expression):
    monkeypatch.chdir(tmp_path)
    _templates(tmp_path, monkeypatch, expression)
    with pytest.raises(TemplateError, match="unsafe"):
        render_html(report)
    assert not (tmp_path / "CANARY").exists()


def test_html_template_output_is_autoescaped(report, tmp_path, monkeypatch):
    _templates(tmp_path, monkeypatch, "<p>{{ r.applicant.name }}</p>")
    out = render_html(report)
    assert out == "<p>&lt;img src=x onerror=alert(1)&gt;</p>"
