"""The benchmark instrument: `python -m bench [--quick]` (see README, "Benchmarks")."""
