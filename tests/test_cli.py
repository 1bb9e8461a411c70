"""The public surface: every command has help and is documented; bad input is one line."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from filelock import FileLock

from tipwatch.cli import COMMAND_MODULES, app, main

ROOT = Path(__file__).resolve().parents[1]


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_every_module_registers_commands() -> None:
    for name in COMMAND_MODULES:
        assert callable(importlib.import_module(name).register)
    assert {"run", "demo", "reextract", "eval", "sql", "report", "export", "backfill", "serve"} <= set(command_names())


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_help_and_is_in_the_readme(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli([command, "--help"], capsys)
    assert code == 0 and "Usage:" in out and len(out.splitlines()) > 3
    assert re.search(rf"`tipwatch {command}\b", (ROOT / "README.md").read_text()), f"{command} not in README"


def test_missing_feeds_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["run", "--feeds", str(tmp_path / "nope.toml"), "--db", str(tmp_path / "w.duckdb")], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("tipwatch: error:") and "nope.toml" in err


def test_broken_feeds_entry_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "ok"\nurl = "https://a.example/feed"\nlanguage = "en"\n\n'
                     '[[feeds]]\nname = "bad"\nurl = "ftp://a.example/feed"\nlanguage = "en"\n')
    code, _, err = run_cli(["run", "--feeds", str(feeds), "--db", str(tmp_path / "w.duckdb")], capsys)
    assert code == 2 and "Traceback" not in err
    assert '"bad"' in err and "url" in err


def test_bad_setting_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIPWATCH_RETRIES", "many")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "ok"\nurl = "https://a.example/feed"\nlanguage = "en"\n')
    code, _, err = run_cli(["run", "--feeds", str(feeds), "--db", str(tmp_path / "w.duckdb")], capsys)
    assert code == 2 and "TIPWATCH_RETRIES" in err and err.count("\n") == 1


@pytest.mark.usefixtures("prefect_harness")
def test_locked_warehouse_waits_then_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIPWATCH_LOCK_TIMEOUT", "0.5")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "ok"\nurl = "https://a.example/feed"\nlanguage = "en"\n')
    db = tmp_path / "w.duckdb"
    with FileLock(str(db) + ".lock"):
        code, _, err = run_cli(["run", "--feeds", str(feeds), "--db", str(db)], capsys)
    assert code == 3
    assert "another tipwatch process" in err and "Traceback" not in err


def test_warehouse_in_a_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["reextract", "--db", str(tmp_path / "no" / "w.duckdb")], capsys)
    assert code == 4 and err.startswith("tipwatch: error:") and err.count("\n") == 1
