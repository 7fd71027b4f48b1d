"""Benchmarks of the calculator (issue 7): each module is one command, `python -m bench.NAME`.

`python -m bench.run` runs them all and rewrites the table in docs/performance.md; `--quick`
runs each at a tiny size and writes nowhere in the tree (CI keeps the scripts working that way).
Not part of the product: nothing in calculator/ or training/ imports from here.
"""
