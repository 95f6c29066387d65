"""Render a `Report` as one self-contained HTML page.

Self-contained means it opens offline and cannot reach out: inline CSS, hand-written inline
SVG charts, a little inline JavaScript for the table, and a Content-Security-Policy that
forbids every fetch (`default-src 'none'`), so even a value that slipped through escaping could
not load anything. Every value from the log goes through `_e` (html.escape): the log holds no
personal data, but it is still input.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from privacy_guard.audit.report import ACTION_ORDER, NOT_SENT, Bucket, Report

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
ACTION_COLOURS = {
    "allow": "#2e7d32",
    "redact": "#1565c0",
    "reroute": "#6a1b9a",
    "block": "#c62828",
    "error": "#ef6c00",
}
DESTINATION_COLOURS = {"remote": "#e65100", "local": "#2e7d32", NOT_SENT: "#757575"}
PLAIN = "#455a64"
MAX_BARS = 12  # rows of a horizontal bar chart; the rest is summed up in a note
# Characters of a bar label at 12px: beside its bar (142 units of a 480-wide chart), or on a
# line of its own above it (the chart's width).
LABEL_BESIDE = 18
LABEL_ABOVE = 64


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def render_html(report: Report) -> str:
    """The whole page, as text (write it as UTF-8)."""
    v = report.verification
    title = f"Audit report — {v.origin or 'privacy-guard'}"
    parts = [
        _head(title),
        '<body><header><h1>Audit report</h1><p class="meta">',
        f"log <b>{_e(v.origin or 'unknown (no verified checkpoint)')}</b> · generated "
        f"{_e(report.generated)} · {_e(_filters(report.filters))}</p></header>",
        _verification(report),
        _summary(report),
        _section(
            "timeline",
            f"Decisions over time, by action (per {_e(report.timeline_unit)})",
            _legend(ACTION_COLOURS) + _columns(report.timeline, report.timeline_unit),
        ),
        '<div class="grid">',
        _section(
            "teams",
            "By team",
            _legend(ACTION_COLOURS)
            + _hbars(
                [
                    (team, [(a, counts[a]) for a in ACTION_ORDER if counts[a]])
                    for team, counts in sorted(
                        report.by_team.items(), key=lambda item: -sum(item[1].values())
                    )
                ],
                ACTION_COLOURS,
            ),
        ),
        _section(
            "destinations",
            "Where the data went",
            _legend(DESTINATION_COLOURS)
            + _hbars(_single(report.by_destination), DESTINATION_COLOURS, by_label=True)
            + "<h3>By access class (sent)</h3>"
            + _hbars(_single(report.by_access), {}),
        ),
        _section(
            "jurisdictions",
            "By jurisdiction of the model (sent)",
            _hbars(_single(report.by_jurisdiction), {}),
        ),
        _section(
            "entities",
            "Entity types found",
            _hbars(_single(report.entities), {}, unit="found")
            + '<p class="note">Occurrences; the table below shows them per decision.</p>',
        ),
        _section(
            "rules",
            "Rules that block most",
            _hbars(_single(report.blocking_rules), {"": ACTION_COLOURS["block"]}, unit="blocks"),
        ),
        _section("fail-closed", "Fail-closed events", _fail_closed(report)),
        "</div>",
        _section("latest", "Latest decisions", _table(report)),
        "<footer>privacy-guard audit report. Records hold no prompt, reply or matched value; "
        "callers and prompts appear in the log only as keyed HMACs.</footer>",
        f"<script>{_SCRIPT}</script></body></html>\n",
    ]
    return "".join(parts)


def _head(title: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # An empty icon: otherwise a browser asks the server for /favicon.ico.
        '<link rel="icon" href="data:,">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
    )


def _filters(filters: Mapping[str, str]) -> str:
    if not filters:
        return "all decisions"
    return "decisions with " + ", ".join(f"{k} {v}" for k, v in filters.items())


def _section(ident: str, heading: str, body: str) -> str:
    return f'<section id="{_e(ident)}"><h2>{heading}</h2>{body}</section>'


# -- verification ---------------------------------------------------------------------------


def _verification(report: Report) -> str:
    v = report.verification
    state = "valid" if v.valid else "invalid"
    if v.valid:
        headline = "✔ The log is valid"
    else:
        count = len(v.problems)
        headline = f"✘ The log is NOT valid: {count} problem{'s' * (count != 1)}"
    out = [
        f'<section id="verification" class="banner {state}" data-valid="{str(v.valid).lower()}">'
    ]
    out.append(f"<h2>{_e(headline)}</h2><p>{_e(v.summary)}</p>")
    if v.problems:
        out.append(
            '<table class="problems"><thead><tr><th>reason code</th><th>where</th><th>what</th>'
            "<th>what to do</th></tr></thead><tbody>"
        )
        for p in v.problems:
            out.append(
                f'<tr><td><code class="reason">{_e(p.code)}</code></td><td>{_e(p.where)}</td>'
                f"<td>{_e(p.detail)}</td><td>{_e(p.action)}</td></tr>"
            )
        out.append("</tbody></table>")
    covered = (
        f"records 0–{v.covered - 1:,} of {v.records:,}"
        if v.covered
        else "no record is covered by a verified checkpoint"
    )
    facts = [
        ("Records verified", f"{v.records:,} (the whole log, whatever the filters)"),
        ("Covered by a signed checkpoint", covered),
        ("Time range of the log", _range(report.log_first, report.log_last)),
        (
            "Last checkpoint",
            f"{v.covered:,} records, signed {v.checkpoint_time or 'at an unknown time'}"
            if v.checkpoint_root
            else "none verified",
        ),
        ("Its root hash", v.checkpoint_root or "—"),
        ("Signed by", ", ".join(v.checkpoint_keys) or "—"),
        (
            "Checkpoints verified",
            f"{v.checkpoints:,} stored" + (f", {v.kept:,} kept" * bool(v.kept)),
        ),
        ("Your public keys", ", ".join(v.officer_keys) or "—"),
    ]
    out.append('<dl class="facts">')
    for name, value in facts:
        out.append(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>")
    out.append("</dl>")
    for note in v.notes:
        out.append(f'<p class="note">note: {_e(note)}</p>')
    out.append("</section>")
    return "".join(out)


def _range(first: str | None, last: str | None) -> str:
    return f"{first} → {last}" if first and last else "—"


# -- summary cards --------------------------------------------------------------------------


def _summary(report: Report) -> str:
    d = report.by_destination
    cards = [
        ("decisions", _n(report.decisions), _range(report.first, report.last)),
        ("sent to remote models", _n(d["remote"]), "SaaS APIs, hosted inference"),
        ("kept on local models", _n(d["local"]), "on infrastructure you run"),
        (
            "not sent",
            _n(d[NOT_SENT]),
            f"{_n(report.by_action['block'])} blocked, "
            f"{_n(report.by_action['error'])} failed closed",
        ),
        ("monitor mode", _n(report.monitor), "forwarded, logged what enforce would do"),
    ]
    body = "".join(
        f'<div class="card"><div class="big">{_e(value)}</div><div>{_e(label)}</div>'
        f'<div class="small">{_e(sub)}</div></div>'
        for label, value, sub in cards
    )
    return f'<section id="summary" class="cards">{body}</section>'


# -- charts ---------------------------------------------------------------------------------


def _legend(colours: Mapping[str, str]) -> str:
    items = "".join(
        f'<span><i style="background:{c}"></i>{_e(name)}</span>' for name, c in colours.items()
    )
    return f'<p class="legend">{items}</p>'


def _nice(value: int) -> int:
    """A round axis maximum at or above `value`."""
    if value <= 5:
        return max(value, 1)
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return int(step * power)
    return value


def _columns(buckets: Sequence[Bucket], unit: str) -> str:
    """Stacked columns: one per time bucket, one segment per action."""
    if not buckets:
        return '<p class="empty">No decisions in this period.</p>'
    width, height, left, bottom, top = 960, 260, 56, 36, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    top_value = _nice(max(sum(b.counts.values()) for b in buckets))
    step = plot_w / len(buckets)
    bar_w = max(step * 0.8, 1)
    out = [
        f'<svg class="chart columns" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="decisions per {_e(unit)} by action" xmlns="http://www.w3.org/2000/svg">'
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        out.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_n(round(top_value * fraction))}</text>"
        )
    label_every = max(1, math.ceil(len(buckets) / 8))
    for i, bucket in enumerate(buckets):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        when = _when(bucket.start, unit)
        for action in ACTION_ORDER:
            count = bucket.counts.get(action, 0)
            if not count:
                continue
            h = plot_h * count / top_value
            y -= h
            out.append(
                f'<rect class="bar" data-action="{_e(action)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{ACTION_COLOURS.get(action, PLAIN)}">'
                f"<title>{_e(when)} · {_e(action)}: {_n(count)}</title></rect>"
            )
        if i % label_every == 0:
            out.append(
                f'<text x="{left + i * step + step / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{_e(when)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _when(start: datetime, unit: str) -> str:
    if unit in ("day", "week", "30 days"):
        return start.strftime("%Y-%m-%d")
    return start.strftime("%m-%d %H:%M")


def _single(counts: Counter[str]) -> list[tuple[str, list[tuple[str, int]]]]:
    return [(name, [("", count)]) for name, count in counts.most_common() if count]


def _hbars(
    rows: Iterable[tuple[str, list[tuple[str, int]]]],
    colours: Mapping[str, str],
    *,
    by_label: bool = False,
    unit: str = "decisions",
) -> str:
    """Horizontal bars, one per row, stacked by segment (`colours` per segment key, or per row
    label when `by_label`)."""
    rows = list(rows)
    if not rows:
        return '<p class="empty">None in this period.</p>'
    shown, rest = rows[:MAX_BARS], rows[MAX_BARS:]
    # Sized for a half-width column, so that the text shows at about its CSS size. Short labels
    # sit left of their bar, right-aligned; when one is longer than that space holds (a
    # qualified rule id, say), every label goes on its own line above its bar, left-aligned:
    # a right-aligned label too long for its space would run off the chart's left edge.
    width = 480
    above = any(len(label) > LABEL_BESIDE for label, _ in shown)
    row_h, label_w, bar_h = (36, 0, 14) if above else (24, 150, 16)
    bar_w = width - label_w - 60  # room for the total after the longest bar
    height = row_h * len(shown) + 6
    top_value = max(sum(c for _, c in segments) for _, segments in shown) or 1
    out = [
        f'<svg class="chart hbars" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, segments) in enumerate(shown):
        y = i * row_h + 4
        if above:
            text = f'<text class="label" x="0" y="{y + 11}">{_e(_clip(label, LABEL_ABOVE))}'
            y += row_h - bar_h - 6  # the bar below its label
        else:
            text = (
                f'<text class="label" x="{label_w - 8}" y="{y + 14}" text-anchor="end">'
                f"{_e(label)}"
            )
        out.append(f"{text}<title>{_e(label)}</title></text>")
        x = float(label_w)
        for key, count in segments:
            w = max(bar_w * count / top_value, 1.0)
            colour = colours.get(label if by_label else key, PLAIN)
            what = f"{label} · {key}" if key else label
            out.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{colour}"><title>{_e(what)}: {_n(count)} {_e(unit)}</title></rect>'
            )
            x += w
        total = sum(c for _, c in segments)
        out.append(f'<text x="{x + 6:.1f}" y="{y + bar_h - 2}">{_n(total)}</text>')
    out.append("</svg>")
    if rest:
        more = sum(sum(c for _, c in segments) for _, segments in rest)
        out.append(f'<p class="note">and {len(rest):,} more ({_n(more)} {_e(unit)}).</p>')
    return "".join(out)


def _clip(label: str, size: int = 28) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


# -- fail-closed and the table ---------------------------------------------------------------


def _fail_closed(report: Report) -> str:
    if not report.fail_closed:
        return (
            '<p class="empty">No fail-closed event in this period: nothing was refused for '
            "an internal failure.</p>"
        )
    out = [
        f"<p>{_n(sum(report.fail_closed.values()))} request(s) refused because detection, the "
        "policy or the audit log failed; nothing was sent for them.</p>",
        _hbars(_single(report.fail_closed), {"": ACTION_COLOURS["error"]}, unit="events"),
        '<table class="small-table"><thead><tr><th>time</th><th>team</th><th>error code</th>'
        "<th>request</th></tr></thead><tbody>",
    ]
    for row in report.fail_closed_latest:
        out.append(
            f"<tr><td>{_e(row['time'])}</td><td>{_e(row['team'])}</td>"
            f"<td><code>{_e(row['error_code'])}</code></td><td>{_e(row['request_id'])}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (row key, heading, sort type)
    ("index", "#", "num"),
    ("time", "time (UTC)", "text"),
    ("team", "team", "text"),
    ("effective_action", "action", "text"),
    ("mode", "mode", "text"),
    ("requested_model", "requested", "text"),
    ("routed_model", "routed to", "text"),
    ("access", "access", "text"),
    ("jurisdiction", "jurisdiction", "text"),
    ("entities", "entities", "text"),
    ("rules", "rules", "text"),
    ("error_code", "error", "text"),
    ("request_id", "request id", "text"),
)


def _options(values: Iterable[Any]) -> str:
    return "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in sorted(set(values)))


def _table(report: Report) -> str:
    rows = report.latest
    if not rows:
        return '<p class="empty">No decisions in this period.</p>'
    controls = (
        '<div class="controls"><input id="q" type="search" placeholder="Filter rows…" '
        'aria-label="filter rows"> <select id="f-action" aria-label="action">'
        '<option value="">every action</option>'
        + _options(str(r["effective_action"]) for r in rows)
        + '</select> <select id="f-team" aria-label="team"><option value="">every team</option>'
        + _options(str(r["team"]) for r in rows)
        + f'</select> <span id="shown">{len(rows):,} of {len(rows):,}</span>'
        f" (the newest {len(rows):,} of {report.decisions:,} decisions; click a heading to "
        "sort)</div>"
    )
    head = "".join(
        f'<th data-type="{kind}" data-key="{_e(key)}" tabindex="0">{_e(name)}</th>'
        for key, name, kind in _COLUMNS
    )
    body = []
    for r in rows:
        action = str(r["effective_action"])
        shown_action = action if r["action"] == action else f"{action} ({r['action']})"
        cells = []
        for key, _name, kind in _COLUMNS:
            value = shown_action if key == "effective_action" else r.get(key)
            sort = f' data-v="{_e(value)}"' if kind == "num" else ""
            cls = f' class="act act-{_e(action)}"' if key == "effective_action" else ""
            cells.append(f"<td{sort}{cls}>{_e(value)}</td>")
        body.append(
            f'<tr data-action="{_e(action)}" data-team="{_e(r["team"])}">{"".join(cells)}</tr>'
        )
    return (
        controls
        + f'<div class="scroll"><table id="decisions"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
    )


_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1240px;padding:16px 24px;color:#1c2329;background:#f7f8fa}
h1{margin:0 0 4px;font-size:24px}h2{font-size:17px;margin:0 0 10px}
h3{font-size:14px;margin:14px 0 6px}
.meta,.note,.small,footer{color:#5b6770}.small{font-size:12px}footer{margin:24px 0;font-size:12px}
section{background:#fff;border:1px solid #dde2e7;border-radius:8px;padding:14px 16px;margin:14px 0}
.banner.valid{border-left:8px solid #2e7d32}
.banner.invalid{border-left:8px solid #c62828;background:#fff6f6}
.banner.valid h2{color:#2e7d32}.banner.invalid h2{color:#c62828}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:10px 0 0}
.facts dt{color:#5b6770}.facts dd{margin:0;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;background:none;border:0;padding:0}
.card{background:#fff;border:1px solid #dde2e7;border-radius:8px;padding:10px 14px}
.big{font-size:26px;font-weight:600}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 14px}
.chart{width:100%;height:auto;display:block}.chart text{font-size:12px;fill:#37434d}
.chart .grid{stroke:#e3e7eb}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;
margin-right:4px;border-radius:2px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #edf0f2;vertical-align:top}
#decisions td{white-space:nowrap}
#decisions th{cursor:pointer;user-select:none;white-space:nowrap;
position:sticky;top:0;background:#f0f3f5}
#decisions th[aria-sort=ascending]::after{content:" ▲"}
#decisions th[aria-sort=descending]::after{content:" ▼"}
.scroll{max-height:640px;overflow:auto;border:1px solid #edf0f2}
.controls{margin-bottom:8px}.controls input{width:260px;padding:4px 6px}
.act{font-weight:600}.act-allow{color:#2e7d32}.act-redact{color:#1565c0}.act-reroute{color:#6a1b9a}
.act-block{color:#c62828}.act-error{color:#ef6c00}
code.reason{font-weight:700;color:#c62828}.empty{color:#5b6770;font-style:italic}
@media (max-width:900px){.grid,.cards{grid-template-columns:1fr}}
"""

# Sorting and filtering of the latest-decisions table; nothing else runs on the page.
_SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("decisions");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var query = document.getElementById("q");
  var action = document.getElementById("f-action");
  var team = document.getElementById("f-team");
  var shown = document.getElementById("shown");
  function apply() {
    var text = query.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (row) {
      var ok = (!action.value || row.getAttribute("data-action") === action.value) &&
        (!team.value || row.getAttribute("data-team") === team.value) &&
        (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n.toLocaleString("en") + " of " + rows.length.toLocaleString("en");
  }
  function key(cell, numeric) {
    var value = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    return numeric ? Number(value) : value.toLowerCase();
  }
  function sortBy(th) {
    var i = th.cellIndex, numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(th.parentNode.cells, function (c) {
      c.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    rows.sort(function (x, y) {
      var a = key(x.cells[i], numeric), b = key(y.cells[i], numeric);
      return (a < b ? -1 : a > b ? 1 : 0) * dir;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(th); }
    });
  });
  query.addEventListener("input", apply);
  action.addEventListener("change", apply);
  team.addEventListener("change", apply);
  apply();
})();
"""
