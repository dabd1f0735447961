"""On a (simulated) ZeroGPU Space every run goes through @spaces.GPU and still streams every step."""

import importlib.util
from pathlib import Path

import pytest

from llada_demo.engine import chat_trace, zerogpu
from llada_demo.models import device
from llada_demo.models.registry import load_model
from llada_demo.sampling import SamplingSettings


def fake_spaces():
    """A fresh copy of the stand-in `spaces` package (it records each @spaces.GPU call)."""
    spec = importlib.util.spec_from_file_location("fake_spaces", Path(__file__).parent / "fake_spaces" / "spaces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def zero_gpu(monkeypatch):
    """The engine as on a ZeroGPU Space, with the stand-in decorator; yields the stand-in (its `calls`)."""
    spaces = fake_spaces()
    monkeypatch.setattr(zerogpu, "on_zero_gpu", lambda: True)
    monkeypatch.setattr(zerogpu, "ON_GPU", zerogpu.decorated(spaces))
    return spaces


def test_streamed_run_goes_through_spaces_gpu_and_yields_every_step(zero_gpu):
    loaded = load_model("random-tiny")
    settings = SamplingSettings(gen_length=32, steps=16, block_length=16)
    frames = [len(t.steps) for t in chat_trace(loaded, [{"role": "user", "content": "Hi"}], settings)]
    assert frames[:16] == list(range(1, 17))  # every step streamed, in order
    assert zero_gpu.calls == [("_diffusion", zerogpu.gpu_seconds(settings))]


def test_duration_grows_with_the_work():
    short = zerogpu.gpu_seconds(SamplingSettings(gen_length=64, steps=32, block_length=32))
    long = zerogpu.gpu_seconds(SamplingSettings(gen_length=512, steps=512, block_length=32))
    guided = zerogpu.gpu_seconds(SamplingSettings(gen_length=512, steps=512, block_length=32, cfg_scale=1.0))
    assert short < long < guided <= zerogpu.MAX_SECONDS


def test_zero_gpu_is_detected_from_the_package_and_the_environment(monkeypatch):
    assert not device.on_zero_gpu() and device.compile_allowed()  # no `spaces` here
    monkeypatch.setattr(device, "spaces", fake_spaces())
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    assert device.on_zero_gpu() and not device.compile_allowed()


def test_no_op_off_spaces():
    assert not zerogpu.on_zero_gpu()
    assert zerogpu.ON_GPU["diffusion"] is zerogpu._diffusion  # undecorated without the package
