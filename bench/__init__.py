"""`make bench`: the benchmark of docs/contract.md §6 (bench/run.py). Nothing here is used in
production."""
