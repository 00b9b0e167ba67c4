"""de06_synth: synthetic sources for the DE06 warehouse (registry, targets, deadlines, inbox)."""

__version__ = "0.1.0"
