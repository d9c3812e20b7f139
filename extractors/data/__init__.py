"""Data files packaged with the extraction library (read with importlib.resources)."""
