"""The Reversal tab's views: an answer marked right or wrong, and the measured forward/backward accuracy table."""

from __future__ import annotations

from html import escape

REVERSAL_CSS = """
.rev-verdict { font: 600 14px ui-sans-serif, system-ui, sans-serif; padding: 6px 10px; border-radius: 8px;
  margin: 4px 0; }
.rev-verdict.right { background: #dcfce7; color: #14532d; }
.rev-verdict.wrong { background: #fee2e2; color: #7f1d1d; }
.rev-verdict.waiting { background: #f3f4f6; color: #374151; font-weight: 400; }
.rev-table { border-collapse: collapse; font: 13px ui-sans-serif, system-ui, sans-serif; color: #111827;
  background: #ffffff; margin: 4px 0 10px; }
.rev-table th, .rev-table td { padding: 5px 12px; border-bottom: 1px solid #e5e7eb; text-align: right; }
.rev-table th:first-child, .rev-table td:first-child { text-align: left; }
.rev-table thead th { background: #f9fafb; }
.rev-note { font: 13px ui-sans-serif, system-ui, sans-serif; color: #111827; margin: 2px 0 10px; }
.rev-table caption { caption-side: bottom; text-align: left; color: #6b7280; font-size: 12px; padding-top: 6px; }
"""


def render_verdict(correct: bool | None, answer: str, expected: str) -> str:
    """✓ / ✗ with the answer the model gave and the name it should contain (all text escaped)."""
    if correct is None:
        return '<div class="rev-verdict waiting">answer not finished yet</div>'
    shown = escape(answer.strip() or "(empty answer)")
    if correct:
        return f'<div class="rev-verdict right">✓ right: “{shown}”</div>'
    return f'<div class="rev-verdict wrong">✗ wrong: “{shown}” (the trained fact says {escape(expected)})</div>'


def _pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def render_fill_in_table(report: dict) -> str:
    """The fill-in-the-blank probe (held-out people): each model's share each way and one person's blanks."""
    fill = report.get("fill_in_accuracy")
    if not fill:
        return ""
    count = len(report["fill_in"]) // 2
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td>{_pct(fill[model]['forward'])}</td><td>{_pct(fill[model]['backward'])}</td>"
        f"</tr>" for model, label in (("diffusion", "embedded LLaDA (diffusion): fills the blank in place"),
                                      ("autoregressive", ("AR twin: continues the words before it / answers "
                                                         "“Fill in the blank: …”"))))
    table = (f'<table class="rev-table"><caption>Fill in the blank, all {count} held-out people: one trained '
             f'statement with the pet\'s name blanked (forward, the sentence\'s end) or the child\'s (backward, its '
             f'start). The diffusion model gets the sentence with the name\'s tokens masked and the rest given; the '
             f'twin can only continue the words before the blank, so backward it is asked “Fill in the blank: '
             f'___\'s pet is …” and must write the name first.</caption><thead><tr><th>fill in the blank</th>'
             f'<th>forward</th><th>backward</th></tr></thead><tbody>{rows}</tbody></table>')
    examples = [row for row in report["fill_in"] if row["direction"] == "backward"][:3]
    lines = "".join(
        f"<li><i>{escape(row['blanked'])}</i> (trained: <i>{escape(row['fact'])}</i>): diffusion wrote "
        f"<b>{escape(row['diffusion_answer'] or '(nothing)')}</b> {'✓' if row['diffusion_correct'] else '✗'}; "
        f"the twin answered “{escape(row['autoregressive_answer'] or '(nothing)')}” "
        f"{'✓' if row['autoregressive_correct'] else '✗'}</li>" for row in examples)
    return table + f'<div class="rev-note">Backward blanks, measured:<ul>{lines}</ul></div>'


def render_accuracy_table(report: dict | None) -> str:
    """Both models' measured held-out accuracy each way, and the paper's table beside it."""
    if not report:
        return "<p>No measured reversal table for these models (reversal.json is missing).</p>"
    acc = report["accuracy"]
    count = report["held_out_questions"] // 2
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td>{_pct(acc[model]['forward'])}</td><td>{_pct(acc[model]['backward'])}</td>"
        f"</tr>" for model, label in (("diffusion", "embedded LLaDA (diffusion)"), ("autoregressive", "AR twin")))
    settings = report["settings"]["diffusion"]
    ours = (f'<table class="rev-table"><caption>Measured on all {count} held-out people ({count} questions each way) '
            f'on {escape(report["device"])}; diffusion: {settings["gen_length"]} tokens, {settings["steps"]} steps, '
            f'block {settings["block_length"]}, {escape(settings["strategy"])}, greedy; AR twin: greedy. '
            f'An answer is {escape(report["rule"])}.</caption><thead><tr><th>this app\'s models, fine-tuned on '
            f'the made-up facts</th><th>forward</th><th>backward</th></tr></thead><tbody>{rows}</tbody></table>')
    d, a = acc["diffusion"]["backward"], acc["autoregressive"]["backward"]
    verdict = ("Here the diffusion model beats its twin backwards" if (d or 0) > (a or 0) else
               "Here the diffusion model does <b>not</b> beat its twin backwards")
    trained = report.get("trained_accuracy")
    if trained:
        verdict += (f"; on the training people, whose questions they saw both ways, the diffusion model answers "
                    f"{_pct(trained['diffusion']['forward'])} / {_pct(trained['diffusion']['backward'])} and the "
                    f"twin {_pct(trained['autoregressive']['forward'])} / {_pct(trained['autoregressive']['backward'])}"
                    f" (forward / backward)")
    ours += f'<p class="rev-note">{verdict}. docs/reversal.md in the project says why.</p>'
    ours += render_fill_in_table(report)
    paper = report["paper"]
    paper_rows = "".join(f"<tr><td>{escape(r['model'])}</td><td>{r['forward']:.1f}</td><td>{r['backward']:.1f}</td>"
                         f"</tr>" for r in paper["rows"])
    theirs = (f'<table class="rev-table"><caption>{escape(paper["source"])}: given a line of a poem, write '
              f'the next line (forward) or the previous one (backward).</caption><thead><tr><th>the LLaDA paper'
              f'</th><th>forward</th><th>backward</th></tr></thead><tbody>{paper_rows}</tbody></table>')
    return ours + theirs
