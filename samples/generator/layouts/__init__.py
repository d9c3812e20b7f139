"""Page layouts: each module has render(case, rng, style) -> (pages, variant)."""
