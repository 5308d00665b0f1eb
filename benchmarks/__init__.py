"""flarekb benchmarks: `python benchmarks/run.py [--quick]` prints the figures and writes them as JSON.

Not part of the installed package and not collected by pytest: speed is measured here, never in a test.
"""
