"""`make bench`: the benchmark of SPEC §6 (bench/run.py). Nothing here is used in production."""
