"""Highlight evidence spans in an answer as HTML (for the app and the reports).

``highlight_html(text, evidence, kinds=("filler", "local_term"))`` returns the answer,
HTML-escaped, with each evidence span of the chosen kinds wrapped in
``<mark class="hl hl-KIND" style="..." title="LABEL">``. Inline styles make it work in an
e-mail or a saved report with no stylesheet; the classes let the app restyle it.
Overlapping spans (a filler inside a run-on sentence, a mission word inside a feature
phrase) are split into non-overlapping pieces by the core's one highlight algorithm
(:func:`interview.text.layer_spans`, also used by the reports): each piece is coloured by
its most specific kind (the shortest span) and its title lists every label covering it.
``legend_html(kinds)`` renders the matching colour key.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Sequence

from .text import layer_spans

#: kind -> (legend label, background colour, text colour). Distinct, readable colours.
KIND_STYLES: dict[str, tuple[str, str, str]] = {
    "filler": ("Filler words", "#ffd6a5", "#5a3200"),
    "hedge": ("Hedges", "#fdffb6", "#4a4a00"),
    "repetition": ("Repeated words", "#ffadad", "#5c0000"),
    "pause": ("Long pause before", "#d0d0d0", "#202020"),
    "run_on": ("Run-on sentence", "#f1e4ff", "#3b1a5c"),
    "local_term": ("Local health-system terms", "#9bf6ff", "#00454d"),
    "residency_tie": ("Tie back to residency", "#caffbf", "#1d4d12"),
    "program": ("Program name / mission / features", "#a0c4ff", "#0b2a5c"),
    "structure": ("Structure (STAR, opening, close)", "#bdb2ff", "#24135c"),
    "question": ("Your questions", "#ffc6ff", "#4d0a4d"),
    "vague": ("Abstract wording", "#e2e2e2", "#333333"),
    "topic": ("On the question's topic", "#d8f3dc", "#1b4332"),
}
DEFAULT_STYLE = ("Other", "#e8e8e8", "#222222")


def _style(kind: str) -> str:
    _label, bg, fg = KIND_STYLES.get(kind, DEFAULT_STYLE)
    return f"background-color:{bg};color:{fg};padding:0 2px;border-radius:3px"


def _get(ev, name):
    return ev[name] if isinstance(ev, dict) else getattr(ev, name)


def highlight_html(text: str, evidence: Iterable, kinds: Sequence[str] | None = ("filler", "local_term")) -> str:
    """The answer as escaped HTML with ``<mark>`` around evidence of the given kinds.

    ``evidence``: :class:`interview.scoring.Evidence` objects or dicts with start, end, kind,
    label (as stored). ``kinds=None`` highlights every kind. Spans outside the text are ignored.
    """
    text = text or ""
    n = len(text)
    spans = []
    for ev in evidence or ():
        kind = _get(ev, "kind")
        if kinds is not None and kind not in kinds:
            continue
        s, e = int(_get(ev, "start")), int(_get(ev, "end"))
        s, e = max(0, s), min(n, e)
        if e <= s:
            continue
        spans.append((s, e, kind, str(_get(ev, "label") or kind)))
    out: list[str] = []
    for layer in layer_spans(n, ((s, e, (s, e, kind, label)) for s, e, kind, label in spans)):
        piece = escape(text[layer.start:layer.end]).replace("\n", "<br>\n")
        if not layer.spans:
            out.append(piece)
            continue
        # the most specific (shortest) span decides the colour
        kind = layer.spans[0][2]
        kinds_here = list(dict.fromkeys(sp[2] for sp in layer.spans))
        labels = "; ".join(dict.fromkeys(sp[3] for sp in layer.spans))
        classes = " ".join(["hl"] + [f"hl-{k}" for k in kinds_here])
        out.append(
            f'<mark class="{escape(classes)}" style="{_style(kind)}" title="{escape(labels)}">{piece}</mark>'
        )
    return "".join(out)


def legend_html(kinds: Sequence[str] | None = ("filler", "local_term")) -> str:
    """A colour key for the highlighted kinds."""
    keys = list(KIND_STYLES) if kinds is None else list(kinds)
    items = []
    for k in keys:
        label = KIND_STYLES.get(k, DEFAULT_STYLE)[0]
        items.append(f'<mark class="hl hl-{escape(k)}" style="{_style(k)}">{escape(label)}</mark>')
    return '<div class="hl-legend">' + " ".join(items) + "</div>"
