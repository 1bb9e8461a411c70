"""process_batch: what a batch hands back to the flow, and what it no longer carries."""

from __future__ import annotations

from datetime import UTC, datetime

from pytest_httpserver import HTTPServer

from extractors.isolation import IsolatedPool
from tipwatch.articles import NewItem, process_batch
from tipwatch.fetching import Fetcher
from tipwatch.settings import Settings

PAGE = (
    "<html lang='en'><head><title>Port news</title></head><body><article><h1>Port news</h1>"
    + "<p>The harbour authority opened a new terminal on Monday, doubling the port's capacity.</p>" * 4
    + "</article></body></html>"
)


def test_fetch_rows_leave_the_page_body_behind(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    items = [
        NewItem(url=httpserver.url_for(p), source_url=httpserver.url_for(p), feed="f",
                published=datetime(2025, 1, 2, tzinfo=UTC))
        for p in ("/a", "/gone")
    ]
    with Fetcher(Settings(allow_private_networks="127.0.0.1")) as fetcher, IsolatedPool(workers=0) as pool:
        result = process_batch(items, fetcher, pool)
    assert [f.outcome for f, _, _ in result.fetches] == ["ok", "http_error"]
    assert all(f.body is None for f, _, _ in result.fetches)  # the page travels once, in its record
    by_url = {r.url: r for r in result.records}
    assert by_url[items[0].url].status == "ok" and by_url[items[0].url].raw_html
    assert by_url[items[1].url].status == "http_error"
