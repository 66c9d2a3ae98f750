"""The local production stack, shared by `make serve` (tooling/serve.py), `make bench`
(bench/run.py) and the tests (tests/support, tests/deploy): finding nginx and free ports,
detecting PostgreSQL and Redis, rendering deploy/nginx into a runnable config, starting and
stopping nginx + granian. Run its entry points as modules from the repository root
(`python -m tooling.serve`, `python -m bench.run`); nothing here is used in production."""
