"""Provides the crm_tui benchmarks: `uv run python -m bench [--size small|100k|1m] [--only NAME]`.

Each case measures the app's own code path on generated data (the demo generator) beside a
baseline taken in the same run (plain sqlite3 doing the same work, an empty Textual app,
Taskwarrior), and writes median and min-max figures to results.json and RESULTS.md.
"""
