"""Run the whole schemathesis suite (every check, every phase) and count what it did.

Used in-process against the app (tests/test_contract_full.py) and, through the
schemathesis CLI, against live servers and any deployment (``make contract URL=...``).
Settings shared by both live in ``schemathesis.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import schemathesis
import yaml
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from tests.support.constants import CONTRACT, PROJECT_ROOT

SETTINGS = PROJECT_ROOT / "schemathesis.toml"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations_in_contract() -> int:
    """How many operations the committed contract has: every one must be tested."""
    paths = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["paths"]
    return sum(1 for item in paths.values() for method in item if method in HTTP_METHODS)


@dataclass
class RunFigures:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        phases = ", ".join(f"{name} {status}" for name, status in self.phases.items())
        return (
            f"{len(self.operations)} operations, {self.cases} cases, "
            f"{len(self.failures)} failures, {len(self.errors)} errors; phases: {phases}"
        )


def run_in_process(app, token: str, *, max_examples: int, seed: int) -> RunFigures:
    """One pass of every phase; ``max_examples`` bounds each operation (no time budget:
    with one, schemathesis keeps fuzzing until it is spent and may never reach the
    stateful phase)."""
    config = SchemathesisConfig.from_path(SETTINGS)
    config.update(max_time=None, max_failures=None, seed=seed)
    config.projects.override.update(headers={"Authorization": f"Bearer {token}"})
    config.projects.override.checks.update(included_check_names=["all"])
    config.projects.override.generation.update(max_examples=max_examples)
    schema = schemathesis.openapi.from_path(CONTRACT, config=config)
    schema.app = app
    figures = RunFigures()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            figures.operations.add(recorder.label)
            figures.cases += len(recorder.cases)
            for checks in recorder.checks.values():
                for check in checks:
                    if check.status.name == "FAILURE":
                        title = check.failure_info.failure.title if check.failure_info else check.name
                        figures.failures.append(f"{recorder.label}: {check.name}: {title}")
        elif isinstance(event, events.PhaseFinished):
            figures.phases[event.phase.name.value] = event.status.value
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            figures.errors.append(f"{getattr(event, 'label', '')}: {event.value!r}")
    return figures
