"""Benchmarks and the soak test (``make bench``, ``make soak``); never run by pytest."""
