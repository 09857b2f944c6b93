"""Provides the server's data operations as keyword-only functions over a Session."""
