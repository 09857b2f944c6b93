"""Provides the demo data generator: a realistic, deterministic book of business.

Chinese and English companies and people, a year of follow-ups around today, a pipeline
across every stage, claims in every status and birthdays spread over the year so some fall
this week. The same seed and day give the same file.

- words.py: the vocabulary;  gen.py: the seeded generator (ids, names, companies, times);
- batch.py: customers with contacts, deals and claims, built in a worker process;
- activities.py: the follow-ups, made in SQL;  write.py: inserts and search documents;
- generate.py: the whole file, and the stamp that lets today's file be reused.
"""

from __future__ import annotations

from crm_tui.demo.generate import (
    DemoSummary,
    demo_stamp,
    existing_stamp,
    generate,
    iter_summary,
    remove,
    write_stamp,
)

__all__ = [
    "DemoSummary",
    "demo_stamp",
    "existing_stamp",
    "generate",
    "iter_summary",
    "remove",
    "write_stamp",
]
