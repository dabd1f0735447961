"""The two test tiers in one place: what `./scripts/test.sh --fast` leaves out (docs/testing.md)."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent

# `./scripts/test.sh --fast` runs `pytest -m "not slow"`: unit tests and
# the quick API tests. A test is slow when it is under one of SLOW_DIRS, listed in SLOW (a module, or one test as
# "module::test_name"), or marked @pytest.mark.slow itself; every other test, a new module included, is fast until
# it is listed here.
SLOW_DIRS = {"e2e"}  # real Chromium against the live app
SLOW = {
    # live-server integration that takes long: every parameter of every endpoint, concurrent sessions, memory soak,
    # the abandoned-run watchdog's wait
    "test_api_inputs", "test_load", "test_soak_short", "test_abandoned_runs",
    "test_branch_api::test_every_branch_parameter_answers_bad_values_with_a_message",
    # long runs through the live app (128 tokens in 128 steps, several turns, Stop mid-run, the cached sampler)
    "test_app_api::test_streamed_run_shows_intermediate_states_and_matches_the_sampler",
    "test_app_api::test_stop_ends_the_turn_cleanly_and_the_conversation_goes_on",
    "test_app_api::test_a_conversation_longer_than_the_context_leaves_out_old_turns",
    "test_app_api::test_cached_run_through_the_api_is_the_cached_sampler",
    "test_app_api::test_an_empty_answer_is_explained", "test_app_api::test_stop_after_a_finished_run_changes_nothing",
    "test_app_api::test_replay_after_a_run_shows_any_step",
    "test_branch_api::test_branch_keeps_the_edited_token_and_finishes",
    "test_engine_endpoints",  # every endpoint's model work through the engine, one live run each
    "test_fair_queue::test_stop_in_one_tab_leaves_the_same_sessions_waiting_chat",
    "test_branch_api::test_candidates_of_a_masked_and_a_committed_cell_of_the_chats_last_run",
    "test_score_api::test_reversal_score_scores_the_names_both_ways",
    # a statistical comparison over many draws
    "test_answer_likelihood::test_count_form_has_lower_variance_than_the_naive_form",
    # the command line in fresh processes (each imports torch and loads a model)
    "test_cli", "test_score_cli", "test_deploy::test_the_bundles_cli_says_training_is_left_out",
    # hostile text through every endpoint of the live app (a branch run per case)
    "test_edges::test_lone_surrogates_and_html_get_the_apps_message",
    # a run through the live app and four branches of it, one per split character
    "test_whole_characters::test_branch_edits_with_split_characters_come_back_whole",
    # hundreds of cheap calls and fifty new visitors against the live app
    "test_fair_queue::test_a_sessions_run_survives_hundreds_of_cheap_calls_and_fifty_new_visitors",
    # training and evaluation of real (small) models
    "test_train_smoke", "test_train_pipeline", "test_train_v2", "test_eval_smoke", "test_eval_scorecard",
    "test_reversal_pipeline", "test_small_talk_training::test_train_small_talk_on_a_tiny_slice",
    # benchmarks run as commands, and the GPU pipeline rehearsed on the CPU
    "test_bench_smoke", "test_gpu_bench_rehearsal",
    "test_placed_words::test_the_benchmark_runs_and_writes_its_table",
    "test_revising::test_the_benchmark_measures_both_strategies_on_held_out_word_prompts",
    # torch.compile builds C++ kernels on the CPU
    "test_model::test_compiled_forward_gives_the_same_tokens",
}
# A fast-tier test that takes longer than this is named at the end of the run, so it can be listed above.
FAST_TEST_SECONDS = 10.0


def is_slow(item) -> bool:
    path = Path(str(item.path)).resolve()
    if not path.is_relative_to(TESTS):
        return item.get_closest_marker("slow") is not None
    relative = path.relative_to(TESTS)
    return (bool(SLOW_DIRS & set(relative.parts[:-1])) or relative.stem in SLOW
            or f"{relative.stem}::{item.originalname}" in SLOW or item.get_closest_marker("slow") is not None)
