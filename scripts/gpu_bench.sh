#!/usr/bin/env bash
# The GPU measurements the README's GPU table needs, in parts meant to fit a 10-minute call each (not yet run):
#   scripts/gpu_bench.sh tests | eager | compiled | embedded | memory
# Results go to $OUT (the device tool's folder) or benchmarks/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-benchmarks/results}"
mkdir -p "$out"
eight_b=(--shape llada-8b --length 256 --steps 256 --block 32)
case "${1:-}" in
  tests)     # GPU-only tests (bf16, CUDA graphs with every cache) and the sampler's parity on the GPU
    python -m pytest -q -p no:cacheprovider tests/test_model.py tests/test_cache.py tests/test_sampler_parity.py \
      | tee "$out/gpu_tests.txt" ;;
  eager)     # every variant, the Llama-3-8B static-cache baseline and peak memory at 1024 tokens
    python -m llada_demo bench "${eight_b[@]}" --memory-length 1024 --json "$out/gpu_llada8b_eager.json" \
      | tee "$out/gpu_llada8b_eager.md" ;;
  compiled)  # the sampler variants again with CUDA graphs (torch.compile reduce-overhead)
    python -m llada_demo bench "${eight_b[@]}" --compile --no-autoregressive \
      --variants "exact sampler" "exact sampler, block-only guesses" "prefix cache" "dual cache" \
      "threshold τ 0.9 + dual cache" \
      --json "$out/gpu_llada8b_compiled.json" | tee "$out/gpu_llada8b_compiled.md" ;;
  embedded)  # real weights: agreement, tokens per pass at τ 0.9, twin perplexity
    python -m llada_demo bench --model embedded-llada --length 256 --steps 256 --block 32 --compile \
      --json "$out/gpu_embedded_all.json" | tee "$out/gpu_embedded_all.md" ;;
  memory)    # the allocator's peak above the weights at 1024 tokens, per cache mode
    for cache in none prefix dual; do
      python -m benchmarks.memory --shape llada-8b --layers 32 --length 1024 --cache "$cache"
    done | tee "$out/gpu_memory_1024.json" ;;
  *) echo "usage: $0 tests|eager|compiled|embedded|memory" >&2; exit 2 ;;
esac
