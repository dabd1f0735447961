"""The app's named endpoints, driven with gradio_client against a live local server."""

import html
import re
import time

import pytest

from llada_demo.engine import chat_trace
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.sampling import SamplingSettings

pytestmark = pytest.mark.integration
MODEL = default_model_name()
# /chat outputs as a client sees them (the trace State is not part of the API).
CHATBOT, GRID, STATS, NOTICE = 1, 2, 3, 8


def chat_args(message, gen_length=64, steps=64, block_length=32, strategy="low_confidence", seed=0, history=(),
              cache="none"):
    return (message, list(history), MODEL, gen_length, steps, block_length, strategy, 0.9, 0.0, 0.0, seed, cache,
            "confidence")


def masks_in(grid_html: str) -> int:
    return len(re.findall(r'<div class="cell[^"]*\bmasked\b', grid_html))


def answer_of(history) -> str:
    content = history[-1]["content"]
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


def test_endpoints_are_named(client):
    names = set(client.view_api(return_format="dict")["named_endpoints"])
    assert {"/chat", "/stop", "/clear", "/replay", "/play", "/export_gif", "/export_trace", "/export_html", "/check_settings",
            "/nearest_settings", "/load_model"} <= names


def test_streamed_run_shows_intermediate_states_and_matches_the_sampler(client):
    job = client.submit(*chat_args("Write a story about a dog.", gen_length=128, steps=64), api_name="/chat")
    outputs = list(job)
    final = job.outputs()[-1]
    grids = [o[GRID] for o in job.outputs() if isinstance(o[GRID], str) and "llada-view" in o[GRID]]
    mask_counts = [masks_in(g) for g in grids]
    assert len(grids) >= 3, "a run should stream several frames"
    assert any(0 < m < 128 for m in mask_counts), f"no intermediate state among {mask_counts}"
    assert mask_counts[-1] == 0
    assert outputs
    trace_file = client.predict(api_name="/export_trace")
    assert trace_file.endswith(".json") and client.predict(api_name="/export_html").endswith(".html")

    loaded = load_model(MODEL)
    settings = SamplingSettings(gen_length=128, steps=64, block_length=32, seed=0)
    for trace in chat_trace(loaded, [{"role": "user", "content": "Write a story about a dog."}], settings):
        pass
    from pathlib import Path

    from llada_demo.trace import Trace

    served = Trace.from_json(Path(trace_file).read_text(encoding="utf-8"))
    assert served.sequence.tolist() == trace.sequence.tolist()
    assert [len(r.committed) for r in served.steps] == [len(r.committed) for r in trace.steps]
    # The chatbot normalises whitespace (tabs, edges); the words are the sampler's.
    assert html.unescape(answer_of(final[CHATBOT])).split() == trace.answer_text().split()


def test_cached_run_through_the_api_is_the_cached_sampler(client):
    from pathlib import Path

    from llada_demo.trace import Trace

    messages = [{"role": "user", "content": "Write a story about a fox."}]
    final = client.predict(*chat_args(messages[0]["content"], gen_length=64, steps=64, cache="dual"), api_name="/chat")
    assert masks_in(final[GRID]) == 0
    served = Trace.from_json(Path(client.predict(api_name="/export_trace")).read_text(encoding="utf-8"))
    assert served.settings.cache == "dual"
    settings = SamplingSettings(gen_length=64, steps=64, block_length=32, seed=0, cache="dual")
    for trace in chat_trace(load_model(MODEL), messages, settings):
        pass
    assert served.sequence.tolist() == trace.sequence.tolist()


def test_bad_settings_come_back_as_a_message(client):
    result = client.predict(*chat_args("Hello", gen_length=60, steps=64, block_length=32), api_name="/chat")
    notice = result[NOTICE]
    assert "must divide" in notice and "Nearest valid" in notice
    assert "Traceback" not in notice
    empty = client.predict(*chat_args("   "), api_name="/chat")
    assert "empty" in empty[NOTICE]
    assert client.predict(64, 70, 32, "low_confidence", 0.9, 0.0, 0.0, 0, "none", api_name="/check_settings").startswith("⚠️")
    length, steps, block, message = client.predict(60, 64, 32, "low_confidence", 0.9, 0.0, 0.0, 0, "none",
                                                    api_name="/nearest_settings")
    assert (length, steps, block) == (60, 60, 30) and message.startswith("✓")


def start_long_run(client, message="Write a long story."):
    job = client.submit(*chat_args(message, gen_length=448, steps=448, block_length=448), api_name="/chat")
    deadline = time.time() + 60
    while time.time() < deadline and not any(masks_in(o[GRID]) < 448 for o in job.outputs()
                                             if isinstance(o[GRID], str) and "llada-view" in o[GRID]):
        time.sleep(0.05)
    return job


def test_stop_ends_the_turn_cleanly_and_the_conversation_goes_on(client):
    from pathlib import Path

    from llada_demo.trace import Trace

    job = start_long_run(client)
    started = time.time()
    stopped = client.predict(api_name="/stop")
    assert time.time() - started < 10
    job.result(timeout=30)
    assert "stopped" in stopped[STATS] and "Stopped" in stopped[NOTICE]
    assert 0 < masks_in(stopped[GRID]) < 448, "the grid stays at the last step"
    bubble = answer_of(stopped[CHATBOT])
    assert "Stopped at step" in bubble
    steps = int(re.search(r"Stopped at step (\d+) of 448", bubble).group(1))
    scrubber = stopped[7]
    assert (scrubber.get("maximum"), scrubber.get("value")) == (steps, steps), "replay covers the stopped run"

    served = Trace.from_json(Path(client.predict(api_name="/export_trace")).read_text(encoding="utf-8"))
    assert not served.finished and served.stop_reason == "stopped" and len(served.steps) == steps
    assert f"STOPPED AT STEP {steps} OF 448" in Path(client.predict(api_name="/export_html")).read_text("utf-8")
    assert client.predict(api_name="/export_gif").endswith(".gif")

    # The next message, at full length, runs at once with the stopped turn in its history.
    follow = client.predict(*chat_args("Now tell a story about a bird.", gen_length=256, steps=64,
                                       history=stopped[CHATBOT]), api_name="/chat")
    assert "⚠️" not in follow[NOTICE] and masks_in(follow[GRID]) == 0 and "done" in follow[STATS]
    assert len(follow[CHATBOT]) == 4


def test_stop_after_a_finished_run_changes_nothing(client):
    from pathlib import Path

    from llada_demo.trace import Trace

    done = client.predict(*chat_args("Write a story about a hen.", gen_length=32, steps=32), api_name="/chat")
    assert "done" in done[STATS]
    result = client.predict(api_name="/stop")
    assert not any(isinstance(value, str) and "stopped" in value.lower() for value in result)
    served = Trace.from_json(Path(client.predict(api_name="/export_trace")).read_text(encoding="utf-8"))
    assert served.finished and served.stop_reason == "" and len(served.steps) == 32


def test_a_conversation_longer_than_the_context_leaves_out_old_turns(client):
    history = []
    for i in range(10):
        history += [{"role": "user", "content": [{"type": "text", "text": f"Write a story about cat number {i}."}]},
                    {"role": "assistant", "content": [{"type": "text",
                                                       "text": "Once upon a time there was a cat who liked milk. " * 5}]}]
    # "Remember earlier turns" ticked (the embedded models read the newest message alone unless it is).
    final = client.predict(*chat_args("Write a story about a dog.", gen_length=128, steps=32, history=history),
                           None, True, api_name="/chat")
    assert re.search(r"\d+ earlier turns left out to fit the 512-token context", final[NOTICE])
    assert masks_in(final[GRID]) == 0 and len(final[CHATBOT]) == 22, "the page keeps every turn"
    too_long = client.predict(*chat_args("The cat sat on the mat. " * 60, gen_length=256, steps=256),
                              api_name="/chat")
    assert "or shorten the message" in too_long[NOTICE] and "Nearest valid" in too_long[NOTICE]


def test_an_empty_answer_is_explained(client):
    final = client.predict(*chat_args("Hi", gen_length=64, steps=64), api_name="/chat")
    bubble = answer_of(final[CHATBOT])
    trace_text = bubble.split("\u2063")[0]
    if trace_text.strip():
        pytest.skip("the model answered 'Hi' with text on this machine")
    assert "ended its answer at once" in bubble and "Write a story about" in bubble
    assert "ended its answer at once" in final[NOTICE]


def test_replay_after_a_run_shows_any_step(client):
    client.predict(*chat_args("Write a story about a bird.", gen_length=32, steps=32), api_name="/chat")
    first = client.predict(0, "confidence", api_name="/replay")
    last = client.predict(32, "confidence", api_name="/replay")
    middle = client.predict(16, "step", api_name="/replay")
    assert masks_in(first) == 32 and masks_in(last) == 0 and masks_in(middle) == 16
    gif = client.predict(api_name="/export_gif")
    assert str(gif).endswith(".gif")


def test_clear_forgets_the_conversation(client):
    client.predict(*chat_args("Hi", gen_length=16, steps=16, block_length=16), api_name="/chat")
    result = client.predict(api_name="/clear")
    assert result[0] == []


def test_models_this_machine_cannot_run_are_refused_cleanly(client):
    from llada_demo.models.registry import REGISTRY, is_available

    if is_available(REGISTRY["LLaDA-8B-Instruct"]):
        pytest.skip("this machine can run LLaDA-8B")
    status, choice = client.predict("LLaDA-8B-Instruct", api_name="/load_model")
    assert "not available" in status and "still works" in status and choice != "LLaDA-8B-Instruct"
    assert "Unknown model" in client.predict("no-such-model", api_name="/load_model")[0]
    assert "Model:" in client.predict(MODEL, api_name="/load_model")[0]
