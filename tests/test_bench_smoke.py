"""The speed benchmark runs on the small shapes (as in CI) and reports every variant with its ratio."""

import json

from llada_demo.cli import main


def test_bench_prints_and_writes_every_variant(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "--shape", "tiny", "--length", "16", "--steps", "8", "--block", "8",
                 "--prompt-length", "8", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| naive reference loop |" in printed and "| exact sampler |" in printed
    result = json.loads(out.read_text())[0]
    rows = {r["variant"]: r for r in result["rows"]}
    assert rows["naive reference loop"]["vs_naive"] == 1.0
    assert rows["exact sampler"]["nfe"] == 8 and rows["exact sampler"]["tokens_per_s"] > 0
