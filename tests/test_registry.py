"""The feed registry: the shipped defaults load, and each mistake gives one clear line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tipwatch.errors import ConfigError
from tipwatch.registry import FeedConfig, FeedsFileError, load_feeds, parse_interval

REPO = Path(__file__).resolve().parents[1]

GOOD = '''
[[feeds]]
name = "radiohc-en"
url = "https://www.radiohc.cu/en/rss"
language = "en"

[[feeds]]
name = "unodc-en"
url = "https://www.unodc.org/feed.xml"
language = "en"
tags = ["un", "crime"]
interval = "2h30m"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(path: Path) -> str:
    """Load a file that must fail with exactly one problem and return its line."""
    with pytest.raises(ConfigError) as info:
        load_feeds(path)
    assert isinstance(info.value, FeedsFileError)
    assert len(info.value.problems) == 1, info.value.problems
    assert str(info.value) == info.value.problems[0]
    return info.value.problems[0]


def test_shipped_feeds_file_loads() -> None:
    feeds = load_feeds(REPO / "feeds.toml")
    assert len(feeds) >= 8
    languages = {f.language for f in feeds}
    assert {"en", "es", "fr", "pt"} <= languages
    radiohc = [f for f in feeds if "radiohc.cu" in f.url]
    assert {f.language for f in radiohc} == {"en", "es", "fr", "pt"}
    assert all(f.url.startswith("https://") for f in feeds)
    assert all(f.interval >= timedelta(minutes=5) for f in feeds)


def test_good_file_gives_typed_configs(tmp_path: Path) -> None:
    feeds = load_feeds(write(tmp_path, GOOD))
    assert feeds == [
        FeedConfig("radiohc-en", "https://www.radiohc.cu/en/rss", "en", (), timedelta(hours=1)),
        FeedConfig("unodc-en", "https://www.unodc.org/feed.xml", "en", ("un", "crime"),
                   timedelta(hours=2, minutes=30)),
    ]
    with pytest.raises(AttributeError):
        feeds[0].name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(("value", "expected"), [
    ("30m", timedelta(minutes=30)), ("1h", timedelta(hours=1)), ("2h30m", timedelta(hours=2, minutes=30)),
    ("1d", timedelta(days=1)), ("1d12h", timedelta(days=1, hours=12)), (45, timedelta(minutes=45)),
    ("5m", timedelta(minutes=5)), (" 2H ", timedelta(hours=2)),
])
def test_interval_forms(value: object, expected: timedelta) -> None:
    assert parse_interval(value) == expected


@pytest.mark.parametrize("value", ["4m", 4, 0, -10, "", "1w", "h", "30", "1.5h", "30 m", True, 1.5, [1]])
def test_bad_intervals(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        parse_interval(value)


def test_missing_file(tmp_path: Path) -> None:
    line = only_problem(tmp_path / "nope.toml")
    assert "nope.toml" in line and "not found" in line


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert "directory" in only_problem(tmp_path)


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    line = only_problem(write(tmp_path, GOOD + '\n[[feeds]]\nname = "x\n'))
    assert line.startswith(f"{tmp_path / 'feeds.toml'}: invalid TOML: line 15")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes(b'[[feeds]]\nname = "caf\xe9"\n')
    assert "UTF-8" in only_problem(path)


@pytest.mark.parametrize("text", ["", "feeds = []\n", "# nothing here\n"])
def test_no_feeds(tmp_path: Path, text: str) -> None:
    assert "no feeds" in only_problem(write(tmp_path, text))


def test_feeds_not_an_array_of_tables(tmp_path: Path) -> None:
    assert '"feeds" must be an array of tables' in only_problem(write(tmp_path, 'feeds = "x"\n'))


def test_unknown_top_level_key(tmp_path: Path) -> None:
    line = only_problem(write(tmp_path, 'version = 2\n' + GOOD))
    assert 'unknown top-level key "version"' in line


def entry(**fields: str) -> str:
    body = {"name": '"unodc-en"', "url": '"https://www.unodc.org/feed.xml"', "language": '"en"'}
    body.update(fields)
    first = "[[feeds]]" + GOOD.split("[[feeds]]")[1]
    return first + "[[feeds]]\n" + "".join(
        f"{k} = {v}\n" for k, v in body.items() if v != "DROP")


# (fields to set on feeds[0], field named, words expected in the message)
CASES = [
    ({"url": '"ftp://www.unodc.org/feed.xml"'}, "url", "must be an http(s) URL"),
    ({"url": '"www.unodc.org/feed.xml"'}, "url", "must be an http(s) URL"),
    ({"url": '"https://"'}, "url", "must be an http(s) URL"),
    ({"url": '"https://exa mple.org/feed"'}, "url", "must not contain spaces"),
    ({"url": '"https://user:pw@example.org/feed"'}, "url", "user name or password"),
    ({"url": '"https://example.org:99999/feed"'}, "url", "cannot be parsed"),
    ({"url": "42"}, "url", "must be a string, not an integer"),
    ({"url": "DROP"}, "url", "missing (required)"),
    ({"language": "DROP"}, "language", "missing (required)"),
    ({"language": '"EN"'}, "language", "two lowercase letters"),
    ({"language": '"eng"'}, "language", "two lowercase letters"),
    ({"language": '"zz"'}, "language", "not an ISO 639-1 language code"),
    ({"language": '["en"]'}, "language", "must be a string, not an array"),
    ({"name": '"UNODC"'}, "name", "lowercase slug"),
    ({"name": '"-unodc"'}, "name", "lowercase slug"),
    ({"name": '"un odc"'}, "name", "lowercase slug"),
    ({"name": "true"}, "name", "must be a string, not a boolean"),
    ({"tags": '"un"'}, "tags", "must be a list of strings"),
    ({"tags": "[1, 2]"}, "tags", "must be a list of strings"),
    ({"tags": '["UN"]'}, "tags", "not a lowercase slug"),
    ({"tags": '["un", "un"]'}, "tags", "repeated tag"),
    ({"interval": '"4m"'}, "interval", "at least 5 minutes"),
    ({"interval": "3"}, "interval", "at least 5 minutes"),
    ({"interval": '"soon"'}, "interval", "cannot read 'soon' as a duration"),
    ({"interval": "1.5"}, "interval", "not a number"),
    ({"interval": "true"}, "interval", "not a boolean"),
    ({"intervall": '"1h"'}, "intervall", 'unknown field (did you mean "interval"?)'),
    ({"colour": '"red"'}, "colour", "unknown field (expected one of:"),
]


@pytest.mark.parametrize(("fields", "field", "words"), CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)])
def test_each_mistake_names_entry_and_field(tmp_path: Path, fields: dict[str, str], field: str,
                                            words: str) -> None:
    text = entry(**fields)
    line = only_problem(write(tmp_path, text))
    named = "unodc-en" if "name" not in fields else None
    label = f'feeds[1] ("{named}")' if named else "feeds[1]"
    assert line.startswith(f"{tmp_path / 'feeds.toml'}: {label}"), line
    assert f'field "{field}": ' in line, line
    assert words in line, line


def test_missing_name_uses_the_index(tmp_path: Path) -> None:
    line = only_problem(write(tmp_path, entry(name="DROP")))
    assert line.endswith(': feeds[1]: field "name": missing (required)')


def test_duplicate_name(tmp_path: Path) -> None:
    line = only_problem(write(tmp_path, entry(name='"radiohc-en"', url='"https://other.example/rss"')))
    assert line.endswith('feeds[1] ("radiohc-en"): field "name": duplicates feeds[0] ("radiohc-en")')


def test_duplicate_url_ignores_case_of_scheme_and_host(tmp_path: Path) -> None:
    line = only_problem(write(tmp_path, entry(url='"HTTPS://WWW.RadioHC.cu/en/rss"')))
    assert line.endswith('feeds[1] ("unodc-en"): field "url": same feed URL as feeds[0] ("radiohc-en")')


def test_entry_that_is_not_a_table(tmp_path: Path) -> None:
    line = only_problem(write(tmp_path, 'feeds = ["https://example.org/rss"]\n'))
    assert "feeds[0]: must be a table" in line


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = entry(language='"zz"', interval='"1m"') + '\n[[feeds]]\nname = "Bad"\nurl = "x"\nlanguage = "en"\n'
    with pytest.raises(FeedsFileError) as info:
        load_feeds(write(tmp_path, text))
    assert len(info.value.problems) == 4
    assert str(info.value).count("\n") == 3
