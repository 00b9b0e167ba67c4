"""Helpers shared by the tests: building real submissions and running the real pipeline."""
