"""The speed benchmark runs on the small shapes (as in CI) and reports every variant with its ratio."""

import json

from benchmark_command import run_benchmark


def test_bench_prints_and_writes_every_variant(tmp_path):
    out = tmp_path / "bench.json"
    printed = run_benchmark("speed", "--shape", "tiny", "--length", "16", "--steps", "8", "--block", "8",
                            "--prompt-length", "8", "--memory-length", "32", "--json", out).stdout
    for variant in ("naive reference loop", "exact sampler", "prefix cache", "dual cache",
                    "threshold τ 0.9 + dual cache", "autoregressive baseline: tiny"):
        assert f"| {variant}" in printed
    result = json.loads(out.read_text())[0]
    rows = {r["variant"]: r for r in result["rows"]}
    assert rows["naive reference loop"]["vs_naive"] == 1.0
    assert rows["exact sampler"]["nfe"] == 8 and rows["exact sampler"]["tokens_per_s"] > 0
    assert rows["exact sampler"]["agreement"] == 1.0  # the reference for agreement
    assert rows["prefix cache"]["nfe"] == 8 and 0 <= rows["prefix cache"]["agreement"] <= 1
    baseline = next(r for r in result["rows"] if r["variant"].startswith("autoregressive"))
    assert baseline["nfe"] == 16 and baseline["tokens_per_pass"] == 1.0
    memory = rows["exact sampler, memory at 32 tokens"]
    assert memory["gen_length"] == 32 and memory["nfe"] == 4


def test_bench_on_real_weights_reports_twin_perplexity(tmp_path):
    out = tmp_path / "bench.json"
    run_benchmark("speed", "--model", "embedded-llada", "--length", "16", "--steps", "8", "--block", "8",
                  "--variants", "exact sampler", "dual cache", "--json", out)
    rows = {r["variant"]: r for r in json.loads(out.read_text())[0]["rows"]}
    assert set(rows) == {"naive reference loop", "exact sampler", "dual cache",
                         "autoregressive baseline: embedded-ar, static KV cache"}
    # The naive loop and the exact sampler write the same answers, so the twin scores them alike.
    assert rows["exact sampler"]["twin_perplexity"] == rows["naive reference loop"]["twin_perplexity"] > 1
    assert rows["dual cache"]["twin_perplexity"] > 1


def test_memory_benchmark_measures_a_peak_above_the_weights(tmp_path):
    out = tmp_path / "memory.json"
    run_benchmark("memory", "--shape", "tiny", "--layers", "1", "--length", "64", "--block", "8", "--cache", "dual",
                  "--prompt-length", "8", "--steps-measured", "2", "--json", out)
    [result] = json.loads(out.read_text())
    assert result["layers"] == 1 and result["gen_length"] == 64 and result["cache"] == "dual"
    assert result["peak_gb"] >= result["before_run_gb"] > 0 and result["weights_gb"] >= 0
    assert result["peak_above_start_gb"] >= 0
