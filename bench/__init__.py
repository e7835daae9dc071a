"""Benchmarks, run with `make bench`; each module is a `python -m bench.<name>` script."""
