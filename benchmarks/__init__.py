"""Reproducible speed and memory benchmarks: figures and ratios from the same run (`python -m benchmarks.speed`, …)."""
