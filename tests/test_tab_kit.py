"""Every tab is built from the one kit (ui/kit.py): its model pickers, seed boxes and Stops are the kit's, no HTML
styles itself (css_template), the grid width is defined once, and a Stop stops only its own tab's run."""

import ast
import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from llada_demo.models.registry import REGISTRY
from llada_demo.startup import default_model
from llada_demo.ui import build_demo, compare_tab, kit, strategies_tab
from llada_demo.ui.branch_tab import build_branch_tab

UI = Path(kit.__file__).parent


@pytest.fixture(scope="module")
def demo():
    return build_demo()


def components(demo, kind):
    return [block for block in demo.blocks.values() if isinstance(block, kind)]


def classes(block) -> list:
    value = block.elem_classes or []
    return [value] if isinstance(value, str) else list(value)


def test_every_model_menu_and_seed_box_on_the_page_is_the_kits(demo):
    # A menu that offers registered models is a model picker, whoever built it.
    menus = [d for d in components(demo, gr.Dropdown)
             if d.choices and all(value in REGISTRY or value == kit.NO_MODEL for _, value in d.choices)]
    seeds = [n for n in components(demo, gr.Number) if "seed" in (n.label or "").lower()]
    assert len(menus) >= 12 and len(seeds) >= 7  # chat, race (2), fill-in (2), sweep (2), strategies, branch, …
    assert [m.label for m in menus if kit.MODEL_CLASS not in classes(m)] == []
    assert [s.label for s in seeds if kit.SEED_CLASS not in classes(s)] == []


def test_no_html_styles_itself_the_page_css_does(demo):
    html = components(demo, gr.HTML)
    assert len(html) > 20
    assert [h.elem_id for h in html if h.css_template] == []


def test_settings_accordions_share_one_class(demo):
    settings = [a for a in components(demo, gr.Accordion) if "settings" in (a.elem_id or "")]
    assert settings and all(kit.SETTINGS_CLASS in classes(a) for a in settings)


def test_the_grid_width_is_defined_once():
    defined = []
    for path in sorted(UI.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, ast.AnnAssign) else []
            defined += [(path.name, t.id) for t in targets if isinstance(t, ast.Name) and t.id.endswith("COLUMNS")]
    assert defined == [("kit.py", "COLUMNS")]


def test_every_stop_has_the_one_shape(demo):
    stops = {block._id for block in components(demo, gr.Button) if block.variant == "stop"}
    assert len(stops) == 9  # chat, race, fill-in, sweep, strategies, branch (run, branch), reversal, score
    handlers = [fn for fn in demo.fns.values() if fn.fn is not None
                and any(getattr(target, "_id", target) in stops for target, _ in fn.targets)]
    assert len(handlers) == len(stops)  # one handler a Stop
    for fn in handlers:
        assert getattr(fn.fn, "tab_stop", False), fn.name
        assert fn.queue is False
        # It removes waiting runs of exactly the events its button cancels (Gradio's cancel function).
        cancels = next(other.cancels for other in demo.fns.values() if other.cancels and other.targets == fn.targets)
        assert fn.fn.stops_runs == set(cancels) and cancels
    named = {fn.api_name for fn in handlers}
    assert {"stop", "stop_compare", "stop_infill", "stop_sweep", "stop_strategies", "stop_reversal",
            "stop_score"} <= named


def test_the_branch_tab_is_given_the_chats_state(demo):
    assert "chat_trace" in inspect.signature(build_branch_tab).parameters
    assert "demo.fns" not in (UI / "branch_tab.py").read_text(encoding="utf-8")
    by_name = {fn.api_name: fn for fn in demo.fns.values()}
    chat_state = next(c for c in by_name["replay"].inputs if isinstance(c, gr.State))
    assert by_name["branch_from_chat"].inputs == [chat_state]
    assert chat_state in by_name["candidates"].inputs


@pytest.mark.slow  # two tabs' runs of the real models, one stopped mid-run (about 11 s on 2 cores)
def test_a_stop_stops_its_own_tabs_run_and_not_another_tabs(demo):
    by_name = {fn.api_name: fn for fn in demo.fns.values()}
    request = SimpleNamespace(session_hash="one-person-two-tabs")
    diffusion, autoregressive = default_model("diffusion", teaching=True), default_model("autoregressive")
    # A long race and a short strategy comparison, both running for one person.
    race = compare_tab.run_compare("Write a long story about a dog.", diffusion, autoregressive, 256, 256, 256, 0,
                                   "passes", request=request)
    next(race)
    strategies = strategies_tab.run_strategies("Write a story.", diffusion, 8, 4, 0.0, 0, "low_confidence", 8, 0.9,
                                               "none", "random", 8, 0.9, "none", request=request)
    next(strategies)

    # On a thread of its own: in the whole suite Playwright's sync API keeps an event loop running on this one.
    with ThreadPoolExecutor(1) as pool:
        stopped = pool.submit(asyncio.run, by_name["stop_compare"].fn(request=request)).result()
    race_run, _ = compare_tab._runs.sessions.stop(request, wait=0)
    assert race_run.done
    assert stopped[compare_tab.OUTPUTS.names.index("notice")] == "⏹ Stopped."
    assert "stopped" in stopped[compare_tab.OUTPUTS.names.index("diffusion_card")]
    race.close()

    *_, last = strategies  # the other tab's run goes on to its end
    notice = last[strategies_tab.OUTPUTS.names.index("notice")]
    assert "Stopped" not in notice and "stopped" not in notice.lower()
    run, _ = strategies_tab._runs.sessions.stop(request, wait=0)
    assert run.done and all(trace.finished for trace in run.latest)
