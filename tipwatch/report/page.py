"""The report as one self-contained HTML file: inline CSS and SVG, no script, no CDN.

Every figure can be traced: chart marks have a tooltip with the evidence sentence
and link to the article, and each chart is followed by a table of the figures it
plots with their evidence. The only external URLs in the file are those links.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from tipwatch.report.data import Conflict, MetricChart, Point, ReportData
from tipwatch.report.svg import Mark, Series, bar_chart, line_chart

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto;
       max-width: 1040px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 36px; }
h3 { font-size: 16px; margin: 24px 0 4px; }
.meta, .note { color: #666; } .empty { padding: 48px; text-align: center; background: #f6f6f6; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 11px; }
svg .grid { stroke: #e5e5e5; } svg .tick { fill: #666; } svg .legend { fill: #333; font-size: 12px; }
svg .line { fill: none; stroke-width: 2; } svg .mark { stroke-width: 2; cursor: pointer; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #fafafa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.chosen td { font-weight: 600; } .evidence { color: #444; font-style: italic; }
details { margin-bottom: 12px; }
"""

METRIC_TITLES = {
    "victims_identified": "Victims identified",
    "arrests": "Arrests",
    "investigations": "Investigations",
    "prosecutions": "Prosecutions",
    "convictions": "Convictions",
    "prevention_actions": "Prevention actions",
    "estimated_victims": "Estimated victims",
}


def country_name(code: str | None) -> str:
    return code if code else "worldwide"


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(text)}</a>'


def _support(n_articles: int, n_sources: int) -> str:
    return (f"{n_articles} article{'s' if n_articles != 1 else ''}, "
            f"{n_sources} source{'s' if n_sources != 1 else ''}")


def _tooltip(metric: str, p: Point) -> str:
    text = (f"{country_name(p.country)} {p.year}: {p.value:,} {metric.replace('_', ' ')} "
            f"({p.qualifier}, {p.unit}) — {_support(p.n_articles, p.n_sources)}")
    if p.conflicting:
        text += f"; other reported values: {', '.join(f'{v:,}' for v in p.alternatives)}"
    return f"{text}\n“{p.evidence}”"


def _chart_section(chart: MetricChart) -> str:
    title = METRIC_TITLES.get(chart.metric, chart.metric)
    series = [
        Series(country_name(country), [
            Mark(p.year, p.value, _tooltip(chart.metric, p), p.evidence_url, p.conflicting)
            for p in chart.points if p.country == country
        ])
        for country in chart.countries
    ]
    rows = "".join(
        f"<tr><td>{escape(country_name(p.country))}</td><td>{p.year}</td>"
        f'<td class="num">{p.value:,}</td><td>{escape(p.qualifier)}, {escape(p.unit)}</td>'
        f"<td>{escape(_support(p.n_articles, p.n_sources))}"
        f"{'; conflicting: also ' + escape(', '.join(f'{v:,}' for v in p.alternatives)) if p.conflicting else ''}"
        f'</td><td><span class="evidence">“{escape(p.evidence)}”</span> '
        f"{_link(p.evidence_url, 'article')}</td></tr>"
        for p in sorted(chart.points, key=lambda p: (country_name(p.country), p.year))
    )
    return (
        f'<section class="metric" id="metric-{escape(chart.metric)}"><h3>{escape(title)}</h3>'
        + line_chart(series, f"{title} by year for the best-supported countries")
        + '<p class="note">Hollow marks: outlets disagree (see the conflicts table). '
        "Click a mark to open the article it was read from.</p>"
        + "<details><summary>The figures and their evidence</summary><table><thead><tr>"
        "<th>country</th><th>year</th><th>value</th><th>as stated</th><th>support</th>"
        f"<th>evidence</th></tr></thead><tbody>{rows}</tbody></table></details></section>"
    )


def _coverage_section(data: ReportData) -> str:
    months = [m.month.strftime("%Y-%m") for m in data.coverage]
    chart = bar_chart(
        months,
        [("articles", [m.articles for m in data.coverage]),
         ("relevant articles", [m.relevant for m in data.coverage])],
        "Articles and relevant articles per month",
    )
    return (
        "<h2>Coverage</h2><p class=\"note\">Articles collected per month (publication month, else "
        "fetch month), all sources. A fall in figures with a fall here is a fall in coverage, "
        "not necessarily in the phenomenon.</p>" + chart
    )


def _conflict_rows(conflicts: list[Conflict]) -> str:
    return "".join(
        f"<tr class=\"{'chosen' if c.chosen else ''}\"><td>{escape(c.metric)}</td>"
        f"<td>{escape(country_name(c.country))}</td><td>{c.year if c.year is not None else '—'}</td>"
        f'<td class="num">{c.value:,}</td><td>{escape(c.qualifier)}, {escape(c.unit)}</td>'
        f"<td>{escape(_support(c.n_articles, c.n_sources))}</td>"
        f'<td><span class="evidence">“{escape(c.evidence)}”</span> {_link(c.evidence_url, "article")}</td>'
        "</tr>"
        for c in conflicts
    )


def _conflicts_section(conflicts: list[Conflict]) -> str:
    if not conflicts:
        return "<h2>Conflicting facts</h2><p>No two sources disagree on a figure.</p>"
    return (
        "<h2>Conflicting facts</h2><p class=\"note\">Different values reported for the same metric, "
        "country and year, side by side. The bold row is the consolidated value "
        "(most sources, then most articles, then the most recent report).</p><table><thead><tr>"
        "<th>metric</th><th>country</th><th>year</th><th>value</th><th>as stated</th><th>support</th>"
        f"<th>evidence</th></tr></thead><tbody>{_conflict_rows(conflicts)}</tbody></table>"
    )


def render(data: ReportData, *, title: str, generated: dt.datetime) -> str:
    """The whole page; an empty warehouse gets a page that says so."""
    head = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class=\"meta\">Generated {escape(generated.strftime('%Y-%m-%d %H:%M UTC'))}"
    )
    if data.empty:
        return (head + "</p><div class=\"empty\"><h2>No data yet</h2><p>The warehouse has no articles. "
                "Run <code>tipwatch run</code> (or <code>tipwatch demo</code>) and build the report again."
                "</p></div></body></html>\n")
    parts = [
        head + f" · {data.articles:,} articles, {data.relevant:,} relevant, {data.facts:,} distinct facts</p>",
        ("<h2>Figures by year</h2><p class=\"note\">Per metric, the consolidated value per country and year "
        "for the countries with the most support. Hover a mark for its evidence.</p>"),
    ]
    if data.charts:
        parts.extend(_chart_section(chart) for chart in data.charts)
    else:
        parts.append("<p>No figures extracted yet.</p>")
    parts.append(_coverage_section(data))
    parts.append(_conflicts_section(data.conflicts))
    parts.append("</body></html>\n")
    return "".join(parts)
