"""The HTTP API (contract section 5)."""
