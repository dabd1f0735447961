"""The chat tab: chat with a diffusion model and watch every denoising step (grid, plots, replay)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ..config import limits
from ..models.registry import REGISTRY
from ..models.sampling_defaults import measured, read_defaults
from ..sampling import CACHE_MODES, STRATEGIES, nearest_valid
from ..startup import detect
from ..viz.stats import render_stats
from . import chat_handlers as handlers
from . import chat_settings, exports, lenient
from .controls import LENGTH_STEP, MAX_CFG_SCALE, MAX_TEMPERATURE, SETTING_NAMES, strategy_info
from .kit import model_picker, run_stop, seed_box, settings_box, wire_stop

EXAMPLES = [
    "Write a story about a cat and a ball.",
    "Write a story that uses the words: boat, rain, happy.",
    "Continue this story: Lily found a small key in the garden.",
    "Write a story that ends with: And they all went home together.",
]


def model_examples(model_name: str):
    """The example prompts that suit a model (story requests for the embedded one)."""
    spec = REGISTRY.get(model_name)
    return gr.Dataset(samples=[[text] for text in (spec.examples if spec and spec.examples else EXAMPLES)])


CHAT_LENGTH = 128  # the chat's starting answer length: a few seconds on a CPU, the full length a slider away


def chat_defaults(model_name: str | None = None) -> dict:
    """The chat's starting settings for a model on this machine.

    Strategy, temperature, block length and tokens per step come from the model's sampling_defaults.json
    (what its CPU sweep chose, benchmarks/sampling_sweep.py). A model without one (a hub model) gets the
    fallback, and on a CPU at least two tokens per forward pass, so its first run does not take minutes.
    """
    spec = REGISTRY.get(model_name or detect().default_model)
    source = spec.source if spec and measured(spec.source) else ""
    values = read_defaults(source, "diffusion")
    per_step = values["gen_length"] / max(values["steps"], 1)  # tokens committed per forward pass
    if detect().device == "cpu" and not source:
        per_step = max(per_step, 2.0)
    block = nearest_valid(dict(gen_length=CHAT_LENGTH, steps=CHAT_LENGTH, block_length=values["block_length"]))
    settings = nearest_valid(dict(gen_length=CHAT_LENGTH, block_length=block.block_length,
                                  steps=round(CHAT_LENGTH / per_step)))
    return dict(gen_length=settings.gen_length, steps=settings.steps, block_length=settings.block_length,
                strategy=values["strategy"], temperature=float(values["temperature"]))


def model_settings(model_name: str) -> tuple:
    """On a change of model: its own starting settings and whether it reads earlier turns (the six controls)."""
    spec = REGISTRY.get(model_name)
    if spec is None:
        return (gr.skip(),) * 6
    d = chat_defaults(model_name)
    return (d["gen_length"], d["steps"], d["block_length"], d["strategy"], d["temperature"], spec.reads_earlier_turns)


@dataclass(frozen=True)
class ChatTab:
    """What other tabs may read of the chat: its session state holding the last run's trace (the branch tab
    branches from it; /candidates reads it)."""

    trace: gr.State


def build_chat_tab(demo: gr.Blocks) -> ChatTab:
    """Lay out the chat tab inside the current Blocks/Tab context and wire its events."""
    startup = detect()
    default_model = startup.default_model
    top = limits()
    defaults = chat_defaults(default_model)
    trace_state = gr.State(None)
    untrained = "" if REGISTRY[default_model].trained else " (UNTRAINED: random weights, it writes noise)"

    # Laid out for a 1280×720 screen: the chat, Send/Stop and the notice on the left, the grid on the
    # right, all visible without scrolling; the settings follow below the fold on the left.
    # elem_ids: the page's CSS (ui/page_css.py) puts the grid right under Send on a phone and in presentation mode.
    with gr.Row(equal_height=False, elem_id="chat-layout"):
        with gr.Column(scale=2, min_width=320, elem_id="chat-left"):
            # No label: Gradio draws it over the first message, and the chat needs no caption.
            chatbot = lenient.Chatbot(label="Chat", show_label=False, height=300, render_markdown=False,
                                      sanitize_html=True, elem_id="chatbot")
            # The words sit beside the message, not under it: Send, Stop and the notice stay in view at 1280×720.
            with gr.Row(equal_height=True, elem_id="chat-input"):
                message = gr.Textbox(label="Message", placeholder="Ask for a story… (Enter sends)", lines=1,
                                     max_lines=6, elem_id="message", show_label=False, scale=3)
                words = gr.Textbox(label="Must use these words (optional)", show_label=False, lines=1, max_lines=2,
                                   placeholder="Must use: dog, sun", scale=2,
                                   min_width=160, elem_id="must-use")
            with gr.Row(elem_id="chat-buttons"):
                send, stop = run_stop("Send", "send", "stop", min_width=60)
                clear = gr.Button("Clear", elem_id="clear", min_width=60)
            notice = gr.Markdown("", elem_id="notice")
            examples = gr.Examples(list(REGISTRY[default_model].examples or EXAMPLES), inputs=[message],
                                   cache_examples=False, label="Example prompts (they suit the model in use)",
                                   elem_id="chat-examples")
            # Folded on a phone and in presentation mode by the page script (ui/page_js.py).
            with settings_box("Model and sampling settings", "chat-settings", extra_classes=["llada-settings"]):
                model = model_picker("diffusion", "Model", teaching=False,
                                     info="The embedded model runs on a CPU; LLaDA-8B needs a GPU and the hub.")
                model_status = gr.Markdown(
                    f"Model: **{default_model}**{untrained} on **{startup.device}**. {startup.note}",
                    elem_id="model-status")
                gen_length = lenient.Slider(LENGTH_STEP, top["max_gen_length"], value=defaults["gen_length"],
                                            step=LENGTH_STEP,
                                            label="Answer length (tokens)", elem_id="gen-length")
                steps = lenient.Slider(1, top["max_steps"], value=defaults["steps"], step=1,
                                       label="Steps (forward passes)", elem_id="steps")
                block_length = lenient.Slider(1, top["max_gen_length"], value=defaults["block_length"], step=1,
                                              label="Block length",
                                              info="Smaller blocks = more left-to-right (semi-autoregressive).",
                                              elem_id="block-length")
                # Short names in the menu; the chosen one's description under it (strategy_info).
                strategy = lenient.Dropdown([(s.name, s.name) for s in STRATEGIES.values()],
                                            value=defaults["strategy"], label="Remasking strategy",
                                            info=strategy_info(defaults["strategy"]), elem_id="strategy")
                threshold = lenient.Slider(0.0, 1.0, value=0.9, step=0.01, label="Threshold τ (threshold strategy)")
                cache = lenient.Dropdown([(f"{name}: {text}", name) for name, text in CACHE_MODES.items()],
                                         value="none", label="KV cache (speed vs exactness)", elem_id="cache")
                temperature = lenient.Slider(0.0, MAX_TEMPERATURE, value=defaults["temperature"], step=0.05,
                                             label="Temperature (0 = greedy)")
                cfg_scale = lenient.Slider(0.0, MAX_CFG_SCALE, value=0.0, step=0.1, label="CFG scale (0 = off)")
                seed = seed_box()
                remember = gr.Checkbox(REGISTRY[default_model].reads_earlier_turns, label="Remember earlier turns",
                                       info="Send the model the earlier turns too. The embedded models learned "
                                            "single requests: shown an earlier story, they drift back to it.",
                                       elem_id="remember-turns")
                nearest = gr.Button("Use nearest valid settings", size="sm")

        with gr.Column(scale=3, min_width=420, elem_id="chat-right"):
            stats = gr.HTML(render_stats(None), elem_id="stats")
            # A run with placed words draws their cells as given (chat_handlers.grid_view; the page's CSS styles them).
            grid = gr.HTML("", elem_id="token-grid", label="Denoising canvas")
            with gr.Row(elem_id="chat-replay-options"):
                color_by = lenient.Radio(["confidence", "step"], value="confidence", label="Colour committed cells by")
                playback = lenient.Slider(1, 30, value=10, step=1, label="Playback speed (frames/s)")
            with gr.Row(elem_id="chat-replay"):
                scrubber = lenient.Slider(0, 1, value=0, step=1, label="Replay: step", interactive=True,
                                          elem_id="scrubber", scale=4)
                play = gr.Button("▶ Play", elem_id="play", scale=1)
            with gr.Row(elem_id="chat-exports"):
                export_trace = gr.Button("Trace (JSON)", size="sm", elem_id="export-trace")
                export_html = gr.Button("Animation (HTML)", size="sm", elem_id="export-html")
                export_gif = gr.Button("Animation (GIF)", size="sm", elem_id="export-gif")
            download = gr.File(label="Download", interactive=False, elem_id="download", height=80)
            with gr.Tabs(elem_id="chat-figures", overflow_behavior="wrap"):
                with gr.Tab("Confidence heatmap"):
                    heatmap = gr.Plot(elem_id="heatmap", show_label=False)
                with gr.Tab("Decoding order"):
                    order = gr.Plot(elem_id="order-map", show_label=False)
                with gr.Tab("Per-step curves"):
                    curves = gr.Plot(elem_id="curves", show_label=False)

    named = dict(gen_length=gen_length, steps=steps, block_length=block_length, strategy=strategy, threshold=threshold,
                 temperature=temperature, cfg_scale=cfg_scale, seed=seed, cache=cache)
    controls = [named[name] for name in SETTING_NAMES]
    outputs = dict(message=message, chatbot=chatbot, grid=grid, stats=stats, heatmap=heatmap, order=order,
                   curves=curves, scrubber=scrubber, trace=trace_state, notice=notice)
    chat_outputs = handlers.CHAT.wire(**outputs)
    # words and remember last: older callers leave them out
    chat_inputs = [message, chatbot, model, *controls, color_by, words, remember]
    # Gradio's status (the place in the queue and its time estimate while a run waits, then a timer) only on the
    # notice: the stats and grid show a run's progress, and an overlay's timers on every output redraw the page
    # ten times a second, CPU the sampler needs on a small machine.
    send_event = send.click(handlers.chat, chat_inputs, chat_outputs, api_name="chat",
                            concurrency_id="sampler", show_progress_on=notice)
    submit_event = message.submit(handlers.chat, chat_inputs, chat_outputs, api_name=False,
                                  concurrency_id="sampler", show_progress_on=notice)
    words_event = words.submit(handlers.chat, chat_inputs, chat_outputs, api_name=False,
                               concurrency_id="sampler", show_progress_on=notice)
    play_event = play.click(handlers.play, [trace_state, color_by, playback], [scrubber, grid], api_name="play")
    # Stop draws the turn's end itself (status, replay, exports): cancelling the stream drops its last frame.
    # The cheap events skip the queue (queue=False): they must answer at once even when runs fill it.
    runs = [send_event, submit_event, words_event, play_event]
    wire_stop(stop, handlers.chat_runs, handlers.stopped, chat_outputs, runs, "stop")
    clear.click(handlers.clear, None, handlers.CLEARED.wire(**outputs, download=download), api_name="clear")
    scrubber.input(handlers.replay, [scrubber, trace_state, color_by], grid, api_name="replay",
                   trigger_mode="always_last", queue=False)
    color_by.change(handlers.replay, [scrubber, trace_state, color_by], grid, api_name=False, queue=False)
    export_trace.click(exports.export_trace, trace_state, download, api_name="export_trace")
    export_html.click(exports.export_html, trace_state, download, api_name="export_html")
    export_gif.click(exports.export_gif, trace_state, download, api_name="export_gif")
    demo.unload(exports.forget_session)
    # The checks read the message and the model too: the answer may take only what the prompt leaves of the context.
    checked = [*controls, message, model]
    for index, control in enumerate((gen_length, steps, block_length, strategy, cache, threshold, temperature,
                                     cfg_scale)):
        control.change(chat_settings.check_settings, checked, notice, trigger_mode="always_last",
                       api_name="check_settings" if index == 0 else False, queue=False)
    strategy.change(lambda name: gr.update(info=strategy_info(name)), strategy, strategy, api_name=False,
                    queue=False)
    gr.on([nearest.click], chat_settings.nearest_settings, checked, [gen_length, steps, block_length, notice],
          api_name="nearest_settings", queue=False)
    sliders = [gen_length, steps, block_length]
    model.change(handlers.choose_model, model, [model_status, model], api_name="load_model").then(
        model_examples, model, examples.dataset, api_name=False).then(
        chat_settings.answer_limits, model, sliders, api_name=False).then(
        model_settings, model, [gen_length, steps, block_length, strategy, temperature, remember], api_name=False)
    demo.load(chat_settings.check_settings, checked, notice, api_name=False, queue=False)
    # The sliders end where the model's context does (less the chat template): their maximum always runs.
    demo.load(chat_settings.answer_limits, model, sliders, api_name=False)
    return ChatTab(trace=trace_state)
