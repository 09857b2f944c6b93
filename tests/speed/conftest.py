"""Fixtures of the quick-path tests: `crm demo`'s book (quotes, contracts, instalments,
insight figures, Chinese names), made once with a fixed clock."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def crm_demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`crm demo`'s book of 60 customers, made on 2026-11-23 (Shanghai)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from crm_tui.domain.dates import Clock
    from crm_tui.services.demo import prepare

    path = tmp_path_factory.mktemp("crm-demo") / "demo.db"
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    clock = Clock(fixed=moment, zone=moment.tzinfo)
    list(prepare(path, customers=60, seed=7, clock=clock, fresh=True))
    return path
