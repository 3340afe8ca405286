#!/usr/bin/env bash
# Kill the pipeline (kill -9) during GRPO, start it again, and check that it resumes instead of
# starting over: data, SFT and reward model skipped, GRPO continued from its last checkpoint.
#
#   examples/kill_and_resume.sh [FINISHED_RUN] [NEW_DIR] [CHECKPOINT_STEP]
#
# FINISHED_RUN (default runs/demo, what `make demo` writes) lends its data/, sft/ and reward/, so
# only GRPO and evaluation run again; the config is configs/tiny.yaml. The kill comes a few seconds
# after GRPO saves checkpoint-CHECKPOINT_STEP (default 50; tiny.yaml saves every 25 steps).
set -euo pipefail
src=${1:-runs/demo}
out=${2:-runs/kill-and-resume}
step=${3:-50}
bin=${BIN:-.venv/bin}
for stage in data sft reward; do
  [ -f "$src/$stage/DONE" ] || { echo "error: $src/$stage/DONE: not a finished run (run make demo first)" >&2; exit 2; }
done
rm -rf "$out" && mkdir -p "$out"
cp -r "$src/data" "$src/sft" "$src/reward" "$out/"
sft_done=$(stat -c %Y "$out/sft/DONE")
export HF_HUB_OFFLINE=1

"$bin/empathy-r1" pipeline --config configs/tiny.yaml --output "$out" > "$out.first.log" 2>&1 &
pid=$!
until [ -d "$out/grpo/checkpoint-$step" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "error: the pipeline ended before checkpoint-$step (see $out.first.log)" >&2; exit 1; }
  sleep 2
done
sleep 5
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
echo "killed during GRPO; checkpoints left: $(cd "$out/grpo" && ls -d checkpoint-* | tr '\n' ' ')"

start=$(date +%s)
"$bin/empathy-r1" pipeline --config configs/tiny.yaml --output "$out" > "$out.second.log" 2>&1
echo "second run: $(( $(date +%s) - start )) s"
grep -E '^(data|sft|reward|grpo|eval): ' "$out.second.log"
[ "$(stat -c %Y "$out/sft/DONE")" = "$sft_done" ] && echo "SFT not redone" || { echo "error: SFT was redone" >&2; exit 1; }
resumed=$(grep -o " $((step + 1))/[0-9]* \[" "$out.second.log" | head -1 || true)
[ -n "$resumed" ] && echo "GRPO resumed at step $((step + 1))" || { echo "error: GRPO did not resume at step $((step + 1))" >&2; exit 1; }
echo "report: $out/report.md"
