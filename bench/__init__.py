"""Benchmarks that print figures, each ending with one name=value line; see each script's
docstring for what it measures and its target."""
