"""Benchmarks (`make bench`): not part of the application, not collected by pytest (testpaths = tests)."""
