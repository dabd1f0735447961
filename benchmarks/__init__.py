"""Reproducible speed and memory benchmarks (`python -m llada_demo bench`): figures and ratios, same run."""
