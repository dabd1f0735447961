"""What a trace costs per step with the top-5 candidates recorded: bytes in memory, in the JSON export and in the HTML
replay, and the grid frame the page is sent (its bytes, and the CPU time to draw it, with and without the cells'
candidates; CPU time, best of 5 passes over every step, so other jobs on the machine count less).

One greedy run of the embedded model per setting, the chat's prompt. Run:

python -m benchmarks.trace_size [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llada_demo.engine import add_texts, worker  # noqa: E402
from llada_demo.models.registry import load_model  # noqa: E402
from llada_demo.models.tokenizer import chat_prompt_ids  # noqa: E402
from llada_demo.sampling import SamplingSettings, generate  # noqa: E402
from llada_demo.viz import token_grid  # noqa: E402
from llada_demo.viz.export_html import animation_html  # noqa: E402

PROMPT = "Write a story about a cat and a ball."
RUNS = [(128, 128, 32), (128, 64, 32), (256, 256, 32)]  # (answer tokens, steps, block length)


def _record_bytes(record) -> tuple[int, int]:
    """(all arrays of a step record, the top-k arrays alone) in bytes."""
    arrays = [record.tokens, record.committed, record.committed_confidence, record.predicted,
              record.predicted_confidence, record.remasked]
    top = record.top_ids.nbytes + record.top_probs.nbytes
    return sum(a.nbytes for a in arrays) + top, top


def _frame_ms(trace) -> float:
    """CPU milliseconds to draw one grid frame, averaged over every step of the run; best of 5 passes."""
    passes = []
    for _ in range(5):
        start = time.process_time()
        for k in range(len(trace.steps) + 1):
            token_grid.render_grid(trace, step=k, columns=8)
        passes.append((time.process_time() - start) / (len(trace.steps) + 1) * 1000)
    return round(min(passes), 2)


def measure(loaded, length: int, steps: int, block: int) -> dict:
    ids = chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": PROMPT}])
    trace = generate(loaded.model, ids, SamplingSettings(gen_length=length, steps=steps, block_length=block, seed=0),
                     stop_ids=loaded.special.stops, model_name=loaded.spec.name)
    add_texts(trace, loaded.tokenizer, trace.prompt_ids)
    for record in trace.steps:
        add_texts(trace, loaded.tokenizer, record.tokens, record.predicted, record.top_ids)
    bare = replace(trace, steps=[replace(r, top_ids=None, top_probs=None) for r in trace.steps])
    n = len(trace.steps)
    memory = [_record_bytes(r) for r in trace.steps]
    json_steps = [len(json.dumps(r.to_dict(), ensure_ascii=False).encode()) for r in trace.steps]
    json_bare = [len(json.dumps(r.to_dict(), ensure_ascii=False).encode()) for r in bare.steps]
    frames = [len(token_grid.render_grid(trace, step=k, columns=8).encode()) for k in range(n + 1)]
    frames_bare = [len(token_grid.render_grid(bare, step=k, columns=8).encode()) for k in range(n + 1)]
    return {
        "answer_tokens": length, "steps": n, "block_length": block,
        "memory_bytes_per_step": round(sum(m for m, _ in memory) / n),
        "memory_top5_bytes_per_step": round(sum(t for _, t in memory) / n),
        "json_bytes_per_step": round(sum(json_steps) / n),
        "json_bytes_per_step_without_top5": round(sum(json_bare) / n),
        "json_bytes_whole_trace": len(trace.to_json().encode()),
        "html_replay_bytes": len(animation_html(trace).encode()),
        "html_replay_bytes_without_top5": len(animation_html(bare).encode()),
        "grid_frame_bytes_mean": round(sum(frames) / len(frames)),
        "grid_frame_bytes_mean_without_candidates": round(sum(frames_bare) / len(frames_bare)),
        "grid_frame_cpu_ms": _frame_ms(trace), "grid_frame_cpu_ms_without_candidates": _frame_ms(bare),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    worker.run_here()
    loaded = load_model("embedded-llada")
    results = [measure(loaded, *run) for run in RUNS]
    for row in results:
        print(json.dumps(row))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
