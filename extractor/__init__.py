"""flarekb: case reports in, flare signatures out (sources -> nlp -> graph -> cli)."""

__version__ = "0.1.0"
