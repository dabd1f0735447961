"""The sampler variants the benchmark times: name -> changes to the exact sampler's settings."""

# Each runs with the benchmark's gen_length / steps / block length; `threshold` stops a block early.
VARIANTS = {
    "exact sampler": {},
    "exact sampler, block-only guesses": {"guesses": "block"},
    "prefix cache": {"cache": "prefix"},
    "dual cache": {"cache": "dual"},
    "threshold τ 0.9": {"strategy": "threshold", "threshold": 0.9},
    "threshold τ 0.9 + prefix cache": {"strategy": "threshold", "threshold": 0.9, "cache": "prefix"},
    "threshold τ 0.9 + dual cache": {"strategy": "threshold", "threshold": 0.9, "cache": "dual"},
}
