"""The synthetic demo data set (grid, township, county scales), deterministic by seed.

May import any other storage package; nothing imports it but the CLI, tests and bench.
"""
