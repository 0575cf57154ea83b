"""Benchmarks that print figures (DESIGN.md §5); see each script's docstring."""
