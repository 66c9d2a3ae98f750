"""Demo and seed data: the generated catalog with its images, demo accounts, customers and
orders, and the commands that load them (seed_demo, seed_catalog, seed_demo_orders).

Nothing in shop/ imports this app (an import-linter contract says so); it only writes through
the domain apps' models and services."""
