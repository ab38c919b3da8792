"""Benchmarks that print tables and write JSON: ``echelon bench env|rays``.

Speed is measured here, never in unit tests. Every result file records the machine it came from.
"""
