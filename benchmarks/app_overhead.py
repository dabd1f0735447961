"""Wall time of a run through the live app (gradio_client) over the raw sampler's time, same settings.

The app runs in its own process (as `python app.py` does), the raw sampler in this one, so neither
shares a thread pool with the other. Run:
python -m benchmarks.app_overhead [--model NAME] [--length 128 --steps 128 --block 32 --repeats 3]
"""

from __future__ import annotations

import argparse
import time

from devtools.app_server import start_server


def main(argv=None) -> int:
    from gradio_client import Client

    from llada_demo.engine import worker
    from llada_demo.models.registry import default_model_name, load_model
    from llada_demo.models.tokenizer import chat_prompt_ids
    from llada_demo.sampling import SamplingSettings, generate

    worker.run_here()  # load and sample on this thread: a second OpenMP pool would halve the raw speed
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=default_model_name())
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--block", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    prompt = "Write a story about a cat and a ball."
    settings = SamplingSettings(gen_length=args.length, steps=args.steps, block_length=args.block, seed=0)
    loaded = load_model(args.model)
    ids = chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": prompt}])
    generate(loaded.model, ids, settings)  # warm-up
    raw = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        generate(loaded.model, ids, settings)
        raw.append(time.perf_counter() - start)

    process, url = start_server()
    try:
        client = Client(url, verbose=False)
        request = (prompt, [], args.model, args.length, args.steps, args.block, "low_confidence", 0.9, 0.0, 0.0, 0,
                   "none", "confidence")
        client.predict(*request, api_name="/chat")  # warm-up (loads the model in the server)
        app, frames = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            job = client.submit(*request, api_name="/chat")
            job.result()
            app.append(time.perf_counter() - start)
            frames.append(len(job.outputs()))
    finally:
        process.kill()

    raw_best, app_best = min(raw), min(app)
    print(f"model {loaded.label} · {args.length} tokens, {args.steps} steps, block {args.block}")
    print(f"| path | best of {args.repeats} (s) | frames sent |")
    print("|---|---|---|")
    print(f"| raw sampler (generate, this process) | {raw_best:.2f} | - |")
    print(f"| through the app (/chat over gradio_client, server process) | {app_best:.2f} | {max(frames)} |")
    print(f"ratio app / raw: {app_best / raw_best:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
