"""Renderers of results: they only format what the checker found."""
