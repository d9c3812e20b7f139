"""cleardocket: scanned court dockets in, Prop 64 relief decisions out."""

__version__ = "0.1.0"
