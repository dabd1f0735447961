"""LLaDA demo: a masked-diffusion language model sampler that records every step, and views of it."""

__version__ = "0.1.0"
