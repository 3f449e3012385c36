"""chainrule benchmarks: `python -m benchmarks [--quick] [--json FILE]` (see __main__.py)."""
