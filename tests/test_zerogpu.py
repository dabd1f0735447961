"""On a (simulated) ZeroGPU Space the run goes through @spaces.GPU and still streams every step."""

import importlib
import sys
from pathlib import Path

import pytest

from llada_demo.models.registry import load_model
from llada_demo.sampling import SamplingSettings


@pytest.fixture()
def zero_gpu(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fake_spaces"))
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    sys.modules.pop("spaces", None)
    import llada_demo.run
    import llada_demo.zerogpu

    module = importlib.reload(llada_demo.zerogpu)
    importlib.reload(llada_demo.run)
    yield module
    sys.modules.pop("spaces", None)
    monkeypatch.delenv("SPACES_ZERO_GPU")
    importlib.reload(llada_demo.zerogpu)
    importlib.reload(llada_demo.run)


def test_streamed_run_goes_through_spaces_gpu_and_yields_every_step(zero_gpu):
    import spaces

    from llada_demo.run import chat_trace

    assert zero_gpu.on_zero_gpu() and not zero_gpu.compile_allowed()
    loaded = load_model("random-tiny")
    settings = SamplingSettings(gen_length=32, steps=16, block_length=16)
    frames = [len(t.steps) for t in chat_trace(loaded, [{"role": "user", "content": "Hi"}], settings)]
    assert frames[:16] == list(range(1, 17))  # every step streamed, in order
    assert spaces.calls == [("_iterate_on_gpu", zero_gpu.gpu_seconds(settings))]


def test_duration_grows_with_the_work(zero_gpu):
    short = zero_gpu.gpu_seconds(SamplingSettings(gen_length=64, steps=32, block_length=32))
    long = zero_gpu.gpu_seconds(SamplingSettings(gen_length=512, steps=512, block_length=32))
    guided = zero_gpu.gpu_seconds(SamplingSettings(gen_length=512, steps=512, block_length=32, cfg_scale=1.0))
    assert short < long < guided <= zero_gpu.MAX_SECONDS


def test_no_op_off_spaces():
    import llada_demo.zerogpu as zerogpu

    assert not zerogpu.on_zero_gpu()
