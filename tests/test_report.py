"""`tipwatch report`: one self-contained HTML file, figures linked to evidence, rendered by Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_views import known_warehouse

from tipwatch.cli import main
from tipwatch.report.svg import nice_ticks, short_number
from warehouse.connection import open_writer

ROOT = Path(__file__).resolve().parents[1]


def tipwatch(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


class Tags(HTMLParser):
    """Every start tag with its attributes, to check what the page would load."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture
def report(tmp_path: Path) -> Path:
    db = known_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "report.html"
    assert tipwatch("report", "--db", str(db), "--out", str(out)) == 0
    return out


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    parser = Tags()
    parser.feed(html)
    assert not [t for t, _ in parser.tags if t in ("script", "link", "iframe", "img", "object", "embed")]
    assert not [a for _, a in parser.tags if "src" in a]
    assert "@import" not in html and "url(" not in html
    external = {a["href"] for t, a in parser.tags if (a.get("href") or "").startswith(("http:", "https:"))}
    # the only absolute URLs are links (<a>) to the evidence articles
    assert all(t == "a" for t, a in parser.tags if a.get("href") in external)
    assert external <= {url for url, *_ in __import__("test_views").ARTICLES}
    assert len(re.findall(r"https?://", html)) == len(re.findall(r'href="https?://', html))


def test_report_has_charts_coverage_conflicts_and_evidence(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 5  # arrests, convictions, estimated victims, prosecutions, coverage
    for title in ("Arrests", "Prosecutions", "Coverage", "Conflicting facts"):
        assert title in html
    # a mark: tooltip with the evidence sentence, linked to the article
    assert re.search(r'<a href="https://cubadebate.cu/a/2"[^>]*><circle[^>]*><title>CUB 2022: 6 prosecutions'
                     r"[^<]*se juzgaron seis casos", html)
    # conflicting arrests: both values, the chosen one first and bold
    conflicts = html.split("<h2>Conflicting facts</h2>", 1)[1]
    assert conflicts.index("200") < conflicts.index("179")
    assert '<tr class="chosen"><td>arrests</td><td>CUB</td><td>2022</td><td class="num">200</td>' in conflicts
    assert "worldwide" in html and "27,600,000" in html
    assert "999" not in html  # the irrelevant article's figure


def test_text_is_escaped(tmp_path: Path) -> None:
    db = known_warehouse(tmp_path / "w.duckdb")
    with open_writer(db) as con:
        con.execute("UPDATE metrics SET evidence = '<script>alert(1)</script> & \"x\"' "
                    "WHERE metric = 'prosecutions'").fetchall()
    out = tmp_path / "r.html"
    assert tipwatch("report", "--db", str(db), "--out", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in html


def test_empty_warehouse_says_no_data_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "empty.duckdb"
    with open_writer(db):
        pass
    out = tmp_path / "r.html"
    assert tipwatch("report", "--db", str(db), "--out", str(out)) == 0
    assert "no data yet" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "No data yet" in html and "<svg" not in html


def test_missing_warehouse_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tipwatch("report", "--db", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "r.html")) != 0
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_axis_helpers() -> None:
    assert nice_ticks(180) == [0, 50, 100, 150, 200]
    assert nice_ticks(6) == [0, 2, 4, 6]
    assert short_number(27_600_000) == "27.6M" and short_number(7000) == "7k" and short_number(6) == "6"


def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        pytest.skip("chromium not installed: `apt-get install chromium` (.ci/run installs it) "
                    "to render the report in a headless browser")
    return found


def browser(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.slow
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    binary = chromium()
    shot = tmp_path / "report.png"
    result = browser(binary, tmp_path / "profile", "--enable-logging=stderr", "--v=0",
                     f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert shot.exists(), result.stderr[-2000:]
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000  # a blank page is a few kB
    errors = [line for line in result.stderr.splitlines()
              if "Uncaught" in line or ("CONSOLE" in line and "report.html" in line)]
    assert not errors, errors
    keep = ROOT / "build" / "report-screenshot.png"
    keep.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, keep)

    dom = browser(binary, tmp_path / "profile2", "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 5 and "<circle" in dom.stdout and "<title>" in dom.stdout
