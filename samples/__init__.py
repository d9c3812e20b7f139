"""Synthetic sample dockets and the generator that makes them (see samples/README.md)."""
