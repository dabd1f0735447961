"""Worst wait under load: N clients send one /chat each at the same moment to the live app (its own process);
prints each client's end-to-end seconds (joining the queue to the last frame), the worst and the median, and
how long one chat takes alone on the same machine, so the waits read as multiples of it.

    python -m benchmarks.queue_waits --clients 12 32
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from benchmarks.app_process import start_server
from llada_demo.models.registry import default_model_name

PROMPTS = ("Write a story about a dog.", "Tell me a short story about a fox and a crow.", "What is a cat?",
           "Write a poem about the sea.")


def chat_args(index: int, length: int, steps: int) -> tuple:
    return (PROMPTS[index % len(PROMPTS)], [], default_model_name("diffusion"), length, steps, min(32, length),
            "low_confidence", 0.9, 0.0, 0.0, index, "none", "confidence")


def one_chat(url: str, index: int, length: int, steps: int, out: dict) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False, httpx_kwargs={"timeout": 3600})  # a long wait is the figure, not a failure
    start = time.perf_counter()
    try:
        client.predict(*chat_args(index, length, steps), api_name="/chat")
        out[index] = ("ok", time.perf_counter() - start)
    except Exception as error:  # noqa: BLE001 - a refusal is a figure too
        out[index] = (type(error).__name__, time.perf_counter() - start)


def wave(url: str, clients: int, length: int, steps: int) -> dict:
    out: dict = {}
    threads = [threading.Thread(target=one_chat, args=(url, i, length, steps, out)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[12, 32])
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=64)
    args = parser.parse_args(argv)
    process, url = start_server()
    try:
        wave(url, 1, args.length, args.steps)  # warm-up: the model loaded, Gradio's first estimate
        alone = wave(url, 1, args.length, args.steps)[0][1]
        print(f"one chat alone: {alone:.1f} s ({args.length} tokens, {args.steps} steps)", flush=True)
        for clients in args.clients:
            out = wave(url, clients, args.length, args.steps)
            waits = sorted(seconds for status, seconds in out.values() if status == "ok")
            refused = [status for status, _ in out.values() if status != "ok"]
            print(f"{clients} clients at once: worst {max(waits):.1f} s ({max(waits) / alone:.1f}x one chat), "
                  f"median {statistics.median(waits):.1f} s, over 120 s: {sum(w > 120 for w in waits)}, "
                  f"refused: {len(refused)} {sorted(set(refused))}", flush=True)
            print("  each: " + " ".join(f"{w:.0f}" for w in waits), flush=True)
    finally:
        process.kill()


if __name__ == "__main__":
    main()
