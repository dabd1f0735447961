"""Scoring answers and runs: the cut at the first stop token, likelihoods, judges, agreement, speed, text metrics."""
