"""Helpers shared by the broker dispatcher tests (tests/dispatch_<name>/).

Nothing here imports a broker library, so each dispatch folder runs with only its own
plugin distribution installed.
"""
