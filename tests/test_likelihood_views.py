"""The likelihood views and the settled rule, on hand-made estimates: bands, AR lines, escaping, the verdict."""

from llada_demo.modes.score import Entry, Estimate, ScoreProgress
from llada_demo.scoring.answer_likelihood import ScoreSettings
from llada_demo.scoring.preference import ar_ranking, diffusion_ranking, settled
from llada_demo.viz.likelihood import convergence_figure, preference_figure, ranking_html


def estimate(answer, mean, error, ar=None, group="", samples=64):
    history = tuple((n, mean, error * (64 / n) ** 0.5) for n in (16, 32, 48, 64) if n <= samples)
    return Estimate(Entry(group, "Q?", answer), tokens=3, samples=samples, mean=mean, standard_error=error,
                    history=history, ar_log_likelihood=ar)


def progress(*estimates, finished=True):
    return ScoreProgress(tuple(estimates), ScoreSettings(), forward_passes=8, seconds=1.5, finished=finished,
                         diffusion_model="embedded-llada", ar_model="embedded-ar")


def test_settled_only_when_the_leaders_interval_overlaps_no_other():
    apart = [estimate("a", -2.0, 0.2), estimate("b", -5.0, 0.3), estimate("c", -9.0, 2.0)]
    assert settled(apart)
    close = [estimate("a", -2.0, 0.5), estimate("b", -3.5, 0.5)]  # -2 - 0.98 < -3.5 + 0.98
    assert not settled(close)
    assert not settled([estimate("a", -2.0, 0.1)])  # one answer has nothing to be preferred to
    assert not settled([estimate("a", -2.0, 0.1, samples=0), estimate("b", -9.0, 0.1)])
    assert [e.entry.answer for e in diffusion_ranking(apart)] == ["a", "b", "c"]
    ranked = ar_ranking([estimate("a", -2, 1, ar=-9.0), estimate("b", -3, 1, ar=-1.0), estimate("c", -3, 1)])
    assert [e.entry.answer for e in ranked] == ["b", "a", "c"]


def test_the_convergence_figure_has_a_band_a_line_and_an_ar_line_per_answer():
    figure = convergence_figure(progress(estimate("a", -2.0, 0.2, ar=-3.0), estimate("b", -5.0, 0.3, ar=-4.0)))
    fills = [t for t in figure.data if t.fill == "toself"]
    lines = [t for t in figure.data if t.mode == "lines" and t.fill != "toself" and t.line.dash != "dot"]
    dotted = [t for t in figure.data if t.line.dash == "dot"]
    assert len(fills) == len(lines) == len(dotted) == 2
    assert list(dotted[0].y) == [-3.0, -3.0] and len(lines[0].x) == 4


def test_the_ranking_escapes_answers_and_says_whether_it_is_settled():
    hostile = '<img src=x onerror="alert(1)">'
    html = ranking_html(progress(estimate(hostile, -2.0, 0.2, ar=-3.0), estimate("b", -9.0, 0.3, ar=-4.0)))
    assert "<img" not in html and "&lt;img" in html
    assert "settled: the intervals do not overlap" in html and "done:" in html and "-2.00 ± 0.39" in html
    running = ranking_html(progress(estimate("a", -2.0, 1.0), estimate("b", -2.5, 1.0), finished=False))
    assert "not settled yet" in running and "running:" in running and "AR: embedded-ar" in running


def test_the_preference_figure_has_one_panel_per_direction():
    figure = preference_figure(progress(estimate("Ann's pet is Rex", -2, 0.2, ar=-3, group="→ forward"),
                                        estimate("Ann's pet is Bo", -6, 0.2, ar=-2, group="→ forward"),
                                        estimate("Ann", -1, 0.1, ar=-8, group="← backward"),
                                        estimate("Tom", -4, 0.1, ar=-1, group="← backward")))
    assert [a.text for a in figure.layout.annotations] == ["→ forward", "← backward"]
    assert list(figure.data[0].y) == ["Rex", "Bo"] and list(figure.data[2].y) == ["Ann", "Tom"]
