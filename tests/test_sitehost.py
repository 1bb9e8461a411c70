"""The loopback site host: serving, {BASE} substitution, ETag revalidation, traversal, types."""

from __future__ import annotations

import gc
import http.client
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tipwatch.sitehost import serve_site

RSS = '<?xml version="1.0"?>\n<rss version="2.0"><channel><link>{BASE}/</link></channel></rss>\n'
ATOM = '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>{BASE}/x</id></feed>\n'


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "feeds").mkdir(parents=True)
    (root / "feeds" / "news.xml").write_text(RSS, encoding="utf-8")
    (root / "feeds" / "wire.xml").write_text(ATOM, encoding="utf-8")
    (root / "en" / "news").mkdir(parents=True)
    (root / "en" / "news" / "101-story.html").write_text("<html><body>{BASE} stays</body></html>",
                                                          encoding="utf-8")
    (root / "index.html").write_text("<html>home</html>", encoding="utf-8")
    (root / "report.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "secret.txt").write_text("outside the root", encoding="utf-8")
    return root


@pytest.fixture()
def base(site: Path) -> Iterator[str]:
    with serve_site(site) as url:
        yield url


def get(base: str, path: str, headers: dict[str, str] | None = None,
        method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """http.client sends the path as written, so traversal attempts reach the server intact."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_base_url_shape(base: str) -> None:
    parts = urlsplit(base)
    assert parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port
    assert not base.endswith("/")


def test_serves_html_with_charset_and_leaves_html_alone(base: str) -> None:
    status, headers, body = get(base, "/en/news/101-story.html")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == b"<html><body>{BASE} stays</body></html>"


def test_clean_urls_and_front_controller_alias(base: str) -> None:
    direct = get(base, "/en/news/101-story.html")[2]
    assert get(base, "/en/news/101-story")[2] == direct
    assert get(base, "/index.php/en/news/101-story")[2] == direct
    assert get(base, "/en/news/101-story?utm_source=rss&utm_medium=feed")[2] == direct
    assert get(base, "/")[2] == b"<html>home</html>"


def test_feeds_get_base_substituted_and_feed_types(base: str) -> None:
    status, headers, body = get(base, "/feeds/news.xml")
    assert status == 200
    assert headers["content-type"].startswith("application/rss+xml")
    assert body.decode() == RSS.replace("{BASE}", base)
    assert int(headers["content-length"]) == len(body)
    status, headers, body = get(base, "/feeds/wire.xml")
    assert headers["content-type"].startswith("application/atom+xml")
    assert f"<id>{base}/x</id>".encode() in body


def test_pdf_content_type(base: str) -> None:
    status, headers, _ = get(base, "/report.pdf")
    assert status == 200 and headers["content-type"] == "application/pdf"


def test_etag_revalidation_gives_304_without_body(base: str) -> None:
    status, headers, _ = get(base, "/feeds/news.xml")
    etag = headers["etag"]
    status, headers, body = get(base, "/feeds/news.xml", {"If-None-Match": etag})
    assert status == 304 and body == b"" and headers["etag"] == etag
    assert get(base, "/feeds/news.xml", {"If-None-Match": f'"nope", W/{etag}'})[0] == 304
    assert get(base, "/feeds/news.xml", {"If-None-Match": '"stale"'})[0] == 200


def test_etag_changes_with_content(site: Path, base: str) -> None:
    first = get(base, "/feeds/news.xml")[1]["etag"]
    (site / "feeds" / "news.xml").write_text(RSS.replace("<channel>", "<channel><title>new</title>"),
                                             encoding="utf-8")
    status, headers, _ = get(base, "/feeds/news.xml", {"If-None-Match": first})
    assert status == 200 and headers["etag"] != first


def test_head_has_headers_but_no_body(base: str) -> None:
    status, headers, body = get(base, "/feeds/news.xml", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/feeds/../../secret.txt", "/%2e%2e/secret.txt", "/feeds/%2E%2E/%2E%2E/secret.txt",
    "/..%2fsecret.txt", "/index.php/../../secret.txt",
])
def test_traversal_is_refused(base: str, path: str) -> None:
    status, _, body = get(base, path)
    assert status in (400, 403, 404)
    assert b"outside the root" not in body


def test_symlink_out_of_root_is_refused(site: Path, base: str) -> None:
    (site / "leak.txt").symlink_to(site.parent / "secret.txt")
    status, _, body = get(base, "/leak.txt")
    assert status == 403 and b"outside the root" not in body


def test_missing_file_is_404(base: str) -> None:
    assert get(base, "/en/news/999-gone")[0] == 404
    assert get(base, "/feeds/")[0] == 404


def test_shutdown_frees_port_without_resource_warnings(site: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        with serve_site(site) as url:
            assert get(url, "/feeds/news.xml")[0] == 200
            port = urlsplit(url).port
        gc.collect()
    assert port is not None
    with socket.socket() as probe:  # the port is free again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_bind_failure_raises_oserror(site: Path) -> None:
    with serve_site(site) as url:
        port = urlsplit(url).port
        assert port is not None
        with pytest.raises(OSError), serve_site(site, port=port):
            pass


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError), serve_site(tmp_path / "nowhere"):
        pass
