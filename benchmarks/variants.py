"""The sampler variants the benchmark times: name -> changes to the exact sampler's settings (and its sampler)."""

# Each runs with the benchmark's gen_length / steps / block length; `threshold` stops a block early.
# "sampler": "static" runs devtools/static_sampler.py (fixed shapes, CUDA graphs on a GPU) instead of the loop.
VARIANTS = {
    "exact sampler": {},
    "exact sampler, block-only guesses": {"guesses": "block"},
    "exact sampler, static + CUDA graphs": {"sampler": "static", "guesses": "block"},
    "prefix cache": {"cache": "prefix"},
    "dual cache": {"cache": "dual"},
    "threshold τ 0.9": {"strategy": "threshold", "threshold": 0.9},
    "threshold τ 0.9 + prefix cache": {"strategy": "threshold", "threshold": 0.9, "cache": "prefix"},
    "threshold τ 0.9 + dual cache": {"strategy": "threshold", "threshold": 0.9, "cache": "dual"},
}


def split(changes: dict) -> tuple[str, dict]:
    """(sampler name, settings changes) of a variant."""
    changes = dict(changes)
    return changes.pop("sampler", "loop"), changes
