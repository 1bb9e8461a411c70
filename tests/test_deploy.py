"""deploy/prefect.yaml: every entrypoint loads, parameters fit the flows, schedules and limits are right."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PREFECT_YAML = ROOT / "deploy" / "prefect.yaml"


def deployments() -> list[dict[str, Any]]:
    document = yaml.safe_load(PREFECT_YAML.read_text())
    return list(document["deployments"])


def test_prefect_yaml_matches_prefects_schema() -> None:
    from prefect.cli.deploy._models import PrefectYamlModel  # what `prefect deploy` validates with

    model = PrefectYamlModel.model_validate(yaml.safe_load(PREFECT_YAML.read_text()))
    assert {d.name for d in model.deployments} == {"hourly", "daily"}


@pytest.mark.parametrize("deployment", deployments(), ids=lambda d: d["name"])
def test_entrypoint_loads_and_parameters_fit(deployment: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.flows import load_flow_from_entrypoint

    monkeypatch.chdir(ROOT)  # entrypoints are relative to the project, as for `prefect deploy`
    # no placeholder: a missing import must fail here, not on the worker at run time
    flow = load_flow_from_entrypoint(deployment["entrypoint"], use_placeholder_flow=False)
    accepted = inspect.signature(flow.fn).parameters
    assert set(deployment["parameters"]) <= set(accepted), "a parameter the flow does not take"
    for name, value in deployment["parameters"].items():
        default = accepted[name].default
        if default is not inspect.Parameter.empty and default is not None:
            assert isinstance(value, type(default)), f"{name}: {value!r} is not a {type(default).__name__}"


@pytest.mark.parametrize("deployment", deployments(), ids=lambda d: d["name"])
def test_schedule_is_utc_cron_and_runs_never_overlap(deployment: dict[str, Any]) -> None:
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy
    from prefect.client.schemas.schedules import CronSchedule

    (schedule,) = deployment["schedules"]
    CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # raises when invalid
    assert schedule["timezone"] == "UTC"
    limit = deployment["concurrency_limit"]
    assert limit["limit"] == 1
    assert ConcurrencyLimitStrategy(limit["collision_strategy"]) is ConcurrencyLimitStrategy.ENQUEUE
    assert deployment["work_pool"]["name"]


def test_ingest_is_hourly_and_reextract_daily() -> None:
    from prefect.client.schemas.schedules import CronSchedule

    by_entry = {d["entrypoint"]: d for d in deployments()}
    ingest = by_entry["flows/ingest.py:ingest"]
    reextract = by_entry["flows/reextract.py:reextract"]
    assert ingest["parameters"]["respect_intervals"] is True
    assert {"feeds_path", "db_path"} <= set(ingest["parameters"])
    assert ingest["parameters"]["db_path"] == reextract["parameters"]["db_path"]
    hourly = CronSchedule(cron=ingest["schedules"][0]["cron"], timezone="UTC")
    daily = CronSchedule(cron=reextract["schedules"][0]["cron"], timezone="UTC")
    assert hourly.cron.split()[1:] == ["*", "*", "*", "*"]
    assert daily.cron.split()[2:] == ["*", "*", "*"] and daily.cron.split()[1] != "*"


def test_systemd_unit_runs_tipwatch_serve() -> None:
    unit = (ROOT / "deploy" / "tipwatch.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert " serve " in exec_start + " " and "--feeds" in exec_start and "--db" in exec_start
    assert "KillSignal=SIGTERM" in unit and "Restart=on-failure" in unit
