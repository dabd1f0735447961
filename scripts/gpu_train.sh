#!/usr/bin/env bash
# Recipe v2 end to end in one call: check dependencies, train the diffusion model and two AR twins at once
# on one GPU, sweep the diffusion model's sampling defaults, evaluate (pairwise table + one scorecard against
# the shipped models), write model cards. New assets land in OUT_DIR; assets/ is never touched.
#
#   scripts/gpu_train.sh [--smoke] [--data DIR] [--pack DIR] [--budget SECONDS] [OUT_DIR]   (OUT_DIR: runs/v2)
#
# --smoke   the same pipeline at CPU size (tiny models, a slice of the data): a few minutes on 2 cores
# --data    folder holding tinystories-train.txt and tinystories-valid.txt (default ../shared/data, else .data)
# --pack    also write OUT_DIR's shippable files as <=15 MiB archive parts + summary.md + run.log into DIR
#           (the GPU machine returns at most 8 files of 16 MiB, 64 MiB in all)
# --budget  seconds the whole call may take; training gets what the later steps do not need (default 540)
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; data=""; pack=""; budget=540; out="runs/v2"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --data) data="$2"; shift ;;
    --pack) pack="$2"; shift ;;
    --budget) budget="$2"; shift ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) out="$1" ;;
  esac
  shift
done
start=$SECONDS
PY="${PYTHON:-$(command -v python3 || command -v python)}"
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
mkdir -p "$out"
log="$out/run.log"
: > "$log"
say() { echo "[$(( SECONDS - start ))s] $*" | tee -a "$log"; }

# ---- 1. dependencies: training needs torch, transformers, tokenizers, safetensors, numpy, tqdm (not gradio)
if ! "$PY" -c "import torch, transformers, tokenizers, safetensors, numpy, tqdm" 2>/dev/null; then
  say "installing requirements.txt"
  "$PY" -m pip install -q -r requirements.txt
fi
if [ "$smoke" = 0 ] && ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
  # requirements.txt may have brought a CPU wheel: the same torch release from the default index has CUDA.
  version=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
  say "torch $version cannot see a GPU: installing torch==$version from the default index"
  "$PY" -m pip install -q --force-reinstall --no-deps --index-url https://pypi.org/simple "torch==$version"
  "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
    || { say "still no CUDA device: stopping (train on a GPU machine, or use --smoke)"; exit 1; }
fi
device=cpu; [ "$smoke" = 0 ] && device=cuda
say "$("$PY" -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__, 'cuda', torch.cuda.is_available())")"

# ---- 2. data: never in the repository; read from ../shared/data or a carried copy
if [ -z "$data" ]; then
  if [ -f ../shared/data/tinystories-train.txt ]; then data=../shared/data; else data=.data; fi
fi
train_file="$data/tinystories-train.txt"; valid_file="$data/tinystories-valid.txt"
[ -f "$train_file" ] && [ -f "$valid_file" ] || { say "no data in $data (need tinystories-train.txt and -valid.txt)"; exit 1; }

# ---- 3. train the three runs at once (three processes share the GPU, as v1's two did)
common=(train --recipe v2 --out "$out" --train-file "$train_file" --no-progress --device "$device")
threads=""
if [ "$smoke" = 1 ]; then
  # One thread per process: three processes with a thread per core each thrash a small CPU (50x slower).
  common+=(--smoke); sft_cap=1; pretrain_cap=1; threads=1
else
  # Later steps (sweep, eval, scorecard, cards, packing) are given 150 s, data preparation 45 s, SFT 60 s;
  # pretraining gets the rest of the budget. The LR schedule shrinks to fit a cap (loop.py).
  sft_cap=1.0
  pretrain_cap=$("$PY" -c "print(round(max(1.0, ($budget - ($SECONDS - $start) - 150 - 45 - 60) / 60), 2))")
fi
say "training (pretraining cap $pretrain_cap min, SFT cap $sft_cap min) into $out"
pids=()
for run in diffusion autoregressive autoregressive-small; do
  env ${threads:+OMP_NUM_THREADS=$threads} "$PY" -m training.command "${common[@]}" --only "$run" --max-minutes "$pretrain_cap" \
    --sft-max-minutes "$sft_cap" > "$out/train-$run.log" 2>&1 &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
for run in diffusion autoregressive autoregressive-small; do grep -E "parameters" "$out/train-$run.log" | tee -a "$log" || true; done
[ "$failed" = 0 ] || { say "a training run failed: see $out/train-*.log"; tail -20 "$out"/train-*.log; exit 1; }

# ---- 4. the judge: the twin with the lower held-out validation loss (its best pretraining checkpoint)
judge=$("$PY" - "$out" <<'EOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
best = {run: json.loads((out / run / "training_log.json").read_text())["phases"]["pretrain"]["best_valid"]
        for run in ("autoregressive", "autoregressive-small")}
print(out / min(best, key=best.get))
EOF
)
say "judge (best twin by validation loss): $judge"

# ---- 5. sampling defaults of the new diffusion model, measured (writes sampling_defaults.json)
if [ "$smoke" = 1 ]; then sweep_size=(--prompts 4 --talk 5 --gen-length 64); else sweep_size=(--prompts 24 --talk 10); fi
"$PY" -m training.sweep --diffusion "$out/diffusion" --autoregressive "$judge" --train-file "$train_file" \
  --device "$device" "${sweep_size[@]}" --write 2>&1 | grep -v "Loading weights" | tee -a "$log"

# ---- 6. eval: the new pair (held-out likelihoods, 50 prompts) and the scorecard with the shipped pair
eval_size=(); [ "$smoke" = 1 ] && eval_size=(--smoke)
"$PY" -m llada_demo eval --diffusion "$out/diffusion" --autoregressive "$out/autoregressive" \
  --valid-file "$valid_file" --train-file "$train_file" --device "$device" --no-progress --batched --use-defaults \
  --previous-diffusion assets/llada-tinystories --previous-autoregressive assets/ar-tinystories \
  --extra-autoregressive "$out/autoregressive-small" --judge "$judge" --scorecard "${eval_size[@]}" \
  --out-json "$out/eval.json" --out-md "$out/eval.md" 2>&1 | grep -v "Loading weights" | tee -a "$log"

# ---- 7. model cards from the logs and the eval
"$PY" -m training.model_card --eval "$out/eval.json" --diffusion "$out/diffusion" \
  --autoregressive "$out/autoregressive" --recipe v2 | tee -a "$log"
say "done in $(( SECONDS - start )) s"

# ---- 8. pack for the trip back (only the shipped folders: the v1-size twin's numbers are in the scorecard)
if [ -n "$pack" ]; then
  mkdir -p "$pack"
  tar -czf - -C "$out" diffusion autoregressive eval.json eval.md scorecard.json scorecard.md logs \
      autoregressive-small/training_log.json | split -b 15m - "$pack/v2.tar.gz.part-"
  cat "$out/eval.md" "$out/scorecard.md" > "$pack/summary.md"
  cp "$log" "$pack/run.log"
  ls -l "$pack" | tee -a "$pack/run.log"
fi
cat <<EOF
New assets are in $out (assets/ is unchanged). After review, ship them with:
  rm -rf assets/llada-tinystories assets/ar-tinystories
  cp -r $out/diffusion assets/llada-tinystories && cp -r $out/autoregressive assets/ar-tinystories
  cp $out/eval.json assets/llada-tinystories/eval.json && cp $out/eval.json assets/ar-tinystories/eval.json
(from a --pack folder first: cat DIR/v2.tar.gz.part-* | tar -xzf - -C runs/v2)
EOF
