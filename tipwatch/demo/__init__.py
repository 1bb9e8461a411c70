"""The bundled offline news site that `tipwatch demo` ingests.

`site/` holds three invented news sites (a Joomla radio station in four
languages, an English news agency with an Atom feed, a Spanish-language
regional daily) whose feeds link with the literal ``{BASE}``; `tipwatch.sitehost`
serves the folder and fills in the base URL. `expected.toml` says what the
pipeline should make of it, item by item and fact by fact, and is the basis of
`tests/test_demo_site.py`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXPECTED_FILE", "FEEDS_TEMPLATE", "SITE_ROOT", "demo_feeds_file"]

_HERE = Path(__file__).resolve().parent
#: the folder to serve
SITE_ROOT: Path = _HERE / "site"
#: the demo's own documentation of what it should yield
EXPECTED_FILE: Path = _HERE / "expected.toml"
#: the demo's feed registry, with {BASE} where the base URL goes
FEEDS_TEMPLATE: Path = _HERE / "feeds.toml.in"


def demo_feeds_file(base_url: str, dest: Path) -> Path:
    """Write the demo registry with `base_url` filled in; return `dest`.

    The registry cannot be shipped ready-made because the port is only known
    once the site is served.
    """
    base = base_url.rstrip("/")
    text = FEEDS_TEMPLATE.read_text(encoding="utf-8").replace("{BASE}", base)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return dest
