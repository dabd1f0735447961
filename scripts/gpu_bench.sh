#!/usr/bin/env bash
# The GPU measurements of issue 18 (measured once: 6 minutes of parts on one H200, 2026-12-04):
#
#   scripts/gpu_bench.sh all [RESULTS_DIR] [--shape tiny]        # every measuring part, one device call
#   scripts/gpu_bench.sh tests [RESULTS_DIR]                      # the GPU tests, a second call (they compile)
#   scripts/gpu_bench.sh variants,steps64,... [RESULTS_DIR] [--shape tiny]   # some parts only, comma-separated
#
# Parts, in order, each under its own timeout so one slow part cannot eat the others' time; a part that fails
# or times out is reported and the next one runs; the exit status is nonzero if any part failed:
#   tests           the GPU tests (bf16, CUDA graphs with every cache, the static sampler's parity); not in
#                   "all": on the H200 they compiled past 90 s and then 180 s, so they get a call of their own
#   variants        LLaDA-8B shape, 256 tokens / 256 steps / block 32: naive loop, exact (eager), exact with
#                   block-only guesses, exact static + CUDA graphs, prefix and dual cache, threshold τ 0.9 + dual
#   steps64         the same shape at 64 steps: naive, exact, exact static + CUDA graphs
#   autoregressive  the Llama-3-8B shape with transformers' static KV cache, 256 tokens
#   memory          peak allocator memory at a 1024-token answer (32 layers): loop with each cache, static sampler
#   embedded        the embedded model's real weights: every variant, agreement, tokens per pass, twin perplexity
# Files, in RESULTS_DIR (default benchmarks/results/), named after torch.cuda.get_device_name (e.g.
# gpu_nvidia-h200_llada8b.json; "cpu" without a GPU): gpu_<device>_{tests,llada8b,llada8b_64steps,
# autoregressive,memory,embedded}.json, gpu_<device>_summary.md (outcomes, the issue's goals, every table) and
# gpu_<device>_log.txt (everything the parts printed). Eight files at most: the device tool returns no more.
#
# Sent to a GPU machine with this workplace's device tool: it carries at most 64 MiB of working tree, and the four
# embedded models are 71 MB, so leave the facts pair behind for the call (no part reads it):
#   git rm -q --cached assets/*-facts/model.safetensors; printf '/assets/*-facts/model.safetensors\n' >>.git/info/exclude
# and afterwards `git reset -q assets` and take that line out of .git/info/exclude.
#
# Rehearsal: `--shape tiny` (or GPU_BENCH_SHAPE=tiny) runs the same parts with tiny random shapes and short
# answers, on a CPU in about two minutes, so argument parsing, file naming and the JSON/markdown writing are
# exercised before the one GPU run; its default RESULTS_DIR is ${TMPDIR:-/tmp}/gpu_bench_rehearsal, so a
# rehearsal never writes into benchmarks/results/. GPU_BENCH_TIMEOUT_SCALE multiplies every part's timeout.
set -uo pipefail
cd "$(dirname "$0")/.."

parts_arg="" out="" shape="${GPU_BENCH_SHAPE:-8b}"
while (($#)); do
  case "$1" in
    --shape) shape="${2:?--shape needs a value: tiny or 8b}"; shift 2 ;;
    --shape=*) shape="${1#--shape=}"; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) if [[ -z "$parts_arg" ]]; then parts_arg="$1"; elif [[ -z "$out" ]]; then out="$1"; else
         echo "too many arguments: $1" >&2; exit 2; fi; shift ;;
  esac
done
all_parts=(tests variants steps64 autoregressive memory embedded)
measuring_parts=(variants steps64 autoregressive memory embedded)  # "all": what fits one 10-minute device call
[[ -z "$parts_arg" || "$parts_arg" == all ]] && parts_arg="$(IFS=,; echo "${measuring_parts[*]}")"
IFS=, read -r -a parts <<<"$parts_arg"
for part in "${parts[@]}"; do
  [[ " ${all_parts[*]} " == *" $part "* ]] || { echo "unknown part $part (choose from: all ${all_parts[*]})" >&2; exit 2; }
done
case "$shape" in
  tiny) out="${out:-${TMPDIR:-/tmp}/gpu_bench_rehearsal}" ;;
  8b) out="${out:-benchmarks/results}" ;;
  *) echo "unknown shape $shape (tiny or 8b)" >&2; exit 2 ;;
esac
mkdir -p "$out"
out="$(cd "$out" && pwd)"

export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
# The GPU machine's python3 is the one with PyTorch on it; `python` may be absent there.
PY="${PYTHON:-$(command -v python3 || command -v python)}"

# ---- install: only what is missing ---------------------------------------------------------------------------
# requirements.txt pins torch==2.13.0, which resolves to the CPU wheel on the CPU machines (their index) and to
# a CUDA build on PyPI. A GPU machine usually has a CUDA torch already (the device image has its own version and
# no network): installing requirements.txt blindly would try to replace it, and offline the whole install fails.
# So: install the requirements (without torch) only when an import is missing, then the pinned torch from the
# default index only when the present torch cannot see a GPU that nvidia-smi reports. Every pip call has short
# network timeouts, so a machine without network loses seconds here, not minutes.
install() {
  local pip=("$PY" -m pip install -q --disable-pip-version-check --retries 1 --timeout 20)
  if [[ -d .whl ]] && compgen -G ".whl/*.whl" >/dev/null; then  # wheels carried to a machine without network
    "$PY" -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl \
      && export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
  fi
  if ! "$PY" -c "import torch, transformers, safetensors, tokenizers, numpy, yaml, pytest" 2>/dev/null; then
    echo "== installing requirements.txt (torch kept as it is) and pytest"
    grep -v '^torch==' requirements.txt >/tmp/gpu_bench_requirements.txt
    "${pip[@]}" -r /tmp/gpu_bench_requirements.txt "$(grep '^pytest==' requirements-dev.txt || echo pytest)" \
      || echo "!! pip install failed (no network?): going on with what is installed"
  fi
  if [[ "$shape" != tiny ]] && command -v nvidia-smi >/dev/null \
      && ! "$PY" -c "import torch, sys; sys.exit(not torch.cuda.is_available())" 2>/dev/null; then
    local pin; pin="$(grep '^torch==' requirements.txt)"
    echo "== the present torch sees no GPU: installing $pin from the default index (a CUDA build)"
    "${pip[@]}" --force-reinstall "$pin" || echo "!! could not install a CUDA torch"
  fi
}

# ---- the parts -------------------------------------------------------------------------------------------------
if [[ "$shape" == tiny ]]; then
  speed_shape=(--shape tiny --length 32 --steps 32 --block 8 --prompt-length 8)
  steps64=(--shape tiny --length 32 --steps 8 --block 8 --prompt-length 8)
  ar_shape=(--shape tiny --length 32 --prompt-length 8)
  memory_shape=(--shape tiny --layers 2 --length 64 --block 8)
  embedded=(--length 16 --steps 8 --block 8 --variants "exact sampler" "exact sampler, static + CUDA graphs"
            "threshold τ 0.9 + dual cache")  # real weights on a shared CPU: a few variants, short answers
  test_files=(tests/test_graphed_static.py)  # the CPU-cheap ones: the GPU tests skip here anyway
else
  speed_shape=(--shape llada-8b --length 256 --steps 256 --block 32 --prompt-length 64)
  steps64=(--shape llada-8b --length 256 --steps 64 --block 32 --prompt-length 64)
  ar_shape=(--shape llada-8b --length 256 --prompt-length 64)
  memory_shape=(--shape llada-8b --layers 32 --length 1024 --block 32)
  embedded=(--length 256 --steps 256 --block 32)
  test_files=(tests/test_model.py tests/test_cache.py tests/test_sampler_parity.py tests/test_graphed_static.py
              tests/test_graphed_gpu.py)
fi
static="exact sampler, static + CUDA graphs"
# Seconds per part, from the H200 run (took: variants 70, steps64 25, autoregressive 65, memory 78, embedded 123;
# tests over 180): "all" is 550 s at most, inside a 600 s call. The tests compile (torch.compile on the GPU), and
# transformers compiles the Llama-3-8B decoding step (static cache).
declare -A limit=([tests]=540 [variants]=110 [steps64]=45 [autoregressive]=110 [memory]=115 [embedded]=170)

part_tests() {
  local parallel=()  # pytest-xdist, where installed (the GPU image has it): the compiling tests run side by side
  "$PY" -c "import xdist" 2>/dev/null && parallel=(-n 4)
  "$PY" -m pytest -q -p no:cacheprovider "${parallel[@]}" "${test_files[@]}" --junitxml=/tmp/gpu_bench_junit.xml
  local rc=$?
  "$PY" -m benchmarks.pytest_results /tmp/gpu_bench_junit.xml "$device" "$prefix"tests.json || return 1
  return $rc
}
part_variants() {
  "$PY" -m benchmarks.speed "${speed_shape[@]}" --no-autoregressive --variants "exact sampler" \
    "exact sampler, block-only guesses" "$static" "prefix cache" "dual cache" "threshold τ 0.9 + dual cache" \
    --json "$prefix"llada8b.json
}
part_steps64() {
  "$PY" -m benchmarks.speed "${steps64[@]}" --no-autoregressive --variants "exact sampler" "$static" \
    --json "$prefix"llada8b_64steps.json
}
part_autoregressive() {
  "$PY" -m benchmarks.autoregressive_baseline "${ar_shape[@]}" --json "$prefix"autoregressive.json
}
part_memory() {  # one fresh process per run, so no run's allocations or graph pools count in another's peak
  rm -f "$prefix"memory.json
  local run failed=0
  for run in loop:none loop:prefix loop:dual static:none; do
    "$PY" -m benchmarks.memory "${memory_shape[@]}" --sampler "${run%%:*}" --cache "${run##*:}" \
      --json "$prefix"memory.json >/dev/null || failed=1
  done
  return $failed
}
part_embedded() {
  "$PY" -m benchmarks.speed --model embedded-llada "${embedded[@]}" --json "$prefix"embedded.json
}

install
device="$("$PY" -c "import torch; print(torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu')" \
  2>/dev/null || echo unknown)"
slug="$(tr '[:upper:]' '[:lower:]' <<<"$device" | sed -E 's/[^a-z0-9]+/-/g; s/^-+|-+$//g')"
prefix="$out/gpu_${slug}_"
log="${prefix}log.txt"
echo "== device: $device ($slug), shape: $shape, results: $out" | tee "$log"
if [[ "$shape" != tiny && "$slug" == cpu ]]; then
  echo "!! no GPU visible: the 8B parts would not fit a CPU; rehearse with --shape tiny" | tee -a "$log"
fi
scale="${GPU_BENCH_TIMEOUT_SCALE:-1}"
outcomes=() failed=()
for part in "${parts[@]}"; do
  seconds=$(awk -v t="${limit[$part]}" -v s="$scale" 'BEGIN { printf "%d", t * s }')
  echo "== $part (at most ${seconds} s)" | tee -a "$log"
  start=$SECONDS
  # timeout runs the part in a subshell of this script (export -f), so its functions and variables are there.
  export -f "part_$part"
  export PY prefix device static
  timeout -k 10 "$seconds" bash -c "$(declare -p speed_shape steps64 ar_shape memory_shape embedded test_files); \
    part_$part" >>"$log" 2>&1
  rc=$?
  took=$((SECONDS - start))
  if ((rc == 0)); then status=ok; elif ((rc == 124 || rc == 137)); then status="timed out"; else status="failed ($rc)"; fi
  echo "== $part: $status after ${took} s" | tee -a "$log"
  outcomes+=("$part=$status:$took")
  ((rc == 0)) || failed+=("$part")
done
"$PY" -m benchmarks.gpu_summary "$out" "$slug" "${outcomes[@]}" >/dev/null \
  || { echo "!! the summary could not be written" | tee -a "$log"; failed+=(summary); }
echo "== files: $(cd "$out" && ls gpu_"${slug}"_* | tr '\n' ' ')"
if ((${#failed[@]})); then
  echo "== FAILED: ${failed[*]} (see ${log})" | tee -a "$log"
  exit 1
fi
echo "== all parts passed" | tee -a "$log"
