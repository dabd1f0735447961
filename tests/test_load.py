"""Many users at once (loopback, bounded): runs complete or are refused as queue full, never mix, memory returns."""

import gc
import threading
import time
from pathlib import Path

import psutil
import pytest
from gradio_client import Client

from llada_demo.models.registry import load_model
from llada_demo.trace import Trace
from llada_demo.ui import build_demo, launch_kwargs
from llada_demo.ui import chat_handlers as handlers
from server import free_port, start_app

pytestmark = pytest.mark.integration
SESSIONS = 8


def request(i, gen_length=32):
    return (f"Story number {i} about a cat.", [], "random-tiny", gen_length, gen_length, gen_length,
            "low_confidence", 0.9, 0.0, 0.0, i, "none", "confidence")


def test_concurrent_sessions_complete_and_never_mix():
    demo, url = start_app()
    try:
        tokenizer = load_model("random-tiny").tokenizer
        process = psutil.Process()
        warm = Client(url, verbose=False)
        warm.predict(*request(99), api_name="/chat")  # allocator and caches warm
        gc.collect()
        baseline = process.memory_info().rss

        clients = [Client(url, verbose=False) for _ in range(SESSIONS)]
        jobs = [c.submit(*request(i), api_name="/chat") for i, c in enumerate(clients)]
        finals = [job.result(timeout=180) for job in jobs]
        for i, (client, final) in enumerate(zip(clients, finals)):
            history = final[1]
            assert history[0]["content"][0]["text"] == f"Story number {i} about a cat."
            assert "masks left <b>0</b>" in final[2]
            trace = Trace.from_json(Path(client.predict(api_name="/export_trace")).read_text(encoding="utf-8"))
            assert f"Story number {i} about" in tokenizer.decode(trace.prompt_ids.tolist())
            assert trace.settings.seed == i and len(trace.steps) == 32
        # Each session keeps only its last run (for Stop and exports), and none is still running.
            assert all(run.done for run, _ in handlers.chat_runs._runs.values()), "no run may go on"
        gc.collect()
        grown = (process.memory_info().rss - baseline) / 2**20
        assert grown < 200, f"memory grew by {grown:.0f} MB after the load"
    finally:
        demo.close()


def test_a_full_queue_refuses_with_a_message():
    demo = build_demo().queue(max_size=2, default_concurrency_limit=1)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                **launch_kwargs())
    try:
        clients = [Client(demo.local_url, verbose=False) for _ in range(6)]
        outcomes = []

        def one(i):
            try:
                clients[i].predict(*request(i, gen_length=256), api_name="/chat")
                outcomes.append("done")
            except Exception as error:  # noqa: BLE001 - gradio_client raises the server's refusal
                outcomes.append(str(error))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert outcomes.count("done") >= 1
        refused = [o for o in outcomes if o != "done"]
        assert refused and all("queue" in o.lower() and "full" in o.lower() for o in refused), outcomes
    finally:
        demo.close()


def test_stop_cancels_only_that_users_run():
    demo, url = start_app()
    try:
        alice, bob = Client(url, verbose=False), Client(url, verbose=False)
        job_a = alice.submit(*request(1, gen_length=256), api_name="/chat")
        job_b = bob.submit(*request(2, gen_length=256), api_name="/chat")
        deadline = time.time() + 60
        while time.time() < deadline and (len(job_a.outputs()) < 3 or len(job_b.outputs()) < 3):
            time.sleep(0.05)  # both runs are streaming: they take turns on the model thread
        alice.predict(api_name="/stop")
        final_a, final_b = job_a.result(timeout=120), job_b.result(timeout=120)
        assert "Stopped" in final_a[8] and "masks left <b>0</b>" not in final_a[2]
        assert "Stopped" not in final_b[8] and "masks left <b>0</b>" in final_b[2]
    finally:
        demo.close()
