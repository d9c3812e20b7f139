"""Benchmarks: `make bench` (bench.pipeline) and `make bench-service` (bench.service).

A benchmark prints figures and writes them to docs/; it is not a timed test.
"""
