"""Reliability tests (issue 6): fuzzing, reload faults, crashes, concurrency, access, bounds.

`pytest tests/reliability --long` runs the full sizes (10,000+ fuzzed updates, more kills);
without it the sizes fit CI. The fixtures of tests/conftest.py (settings, store, library,
dispatcher, recording_bot, session, articles_dir…) are available here too.
"""

from __future__ import annotations

import pytest
from reliability_kit import FIGURES


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="reliability tests at full size (10,000+ fuzzed updates, more crash kills)",
    )


@pytest.fixture(scope="session")
def long_run(pytestconfig: pytest.Config) -> bool:
    """True with --long: the full-size runs for a developer's machine, not CI."""
    return bool(pytestconfig.getoption("--long", default=False))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The measured figures with `-v` (or in $CITYBOT_RELIABILITY_FIGURES): `pytest -q`
    prints only the pass/fail summary."""
    if not FIGURES.values:
        return
    FIGURES.dump()
    if terminalreporter.config.get_verbosity() <= 0:
        return
    terminalreporter.section("reliability figures")
    for name, value in sorted(FIGURES.values.items()):
        terminalreporter.write_line(f"{name}: {value}")
