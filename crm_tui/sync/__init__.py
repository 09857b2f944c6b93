"""Provides offline-first sync: hybrid logical clocks, the wire protocol and the client."""
