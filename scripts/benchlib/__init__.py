"""Parsing, aggregation, reports and plots for scripts/bench."""
