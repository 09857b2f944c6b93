"""Tests of the Textual app (Pilot and snapshots)."""
