#!/usr/bin/env bash
# The GEMM floor of each architecture's training step, on this machine.
#
# `perf` samples `workbench bench` (one thread, training steps only: no length sweep, many
# repeats, so the few generation steps weigh little) and counts the share of the samples spent in
# the matrix-product library (symbols of the `gemm` crates, which burn's Flex backend and the fused
# recurrent layers both call, packing included). If everything but the products cost nothing, a
# step would take that share of its time: the floor's throughput is the measured tokens/s divided
# by the share. With `PYTHON` set to a Python that has torch, the PyTorch twin's tokens/s (same
# shapes, one thread, measured right after ours) stands beside it, and the last column says whether
# this GEMM alone already costs more than PyTorch's whole step (floor / PyTorch < 1).
#
#   bench/gemm-floor.sh                                  # every architecture
#   ARCHS=lstm,transformer PYTHON=../torch-venv/bin/python bench/gemm-floor.sh
#
# Needs `perf` and `jq`; builds nothing (run `cargo build --release --bin workbench` first).
set -euo pipefail
cd "$(dirname "$0")/.."
workbench=${WORKBENCH:-target/release/workbench}
archs=${ARCHS:-ann,rnn,lstm,birnn,encdec,bahdanau,luong,transformer}
repeats=${REPEATS:-60}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "| arch | ours tokens/s | GEMM share of samples | GEMM floor tokens/s | PyTorch tokens/s | ours / PyTorch | floor / PyTorch |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for arch in ${archs//,/ }; do
    twin=()
    if [[ -n "${PYTHON:-}" ]]; then twin=(--pytorch "$PYTHON"); fi
    # perf samples a run without the twin.
    perf record -q -F 997 -o "$scratch/$arch.perf" -- \
        "$workbench" bench --archs "$arch" --threads 1 --no-lengths --repeats "$repeats" > /dev/null 2>&1
    share=$(perf report -i "$scratch/$arch.perf" --stdio --no-children --sort sym 2> /dev/null |
        awk '$1 ~ /%$/ && /gemm/ { gsub("%", "", $1); s += $1 } END { printf "%.1f", s }')
    # Throughput from a run without perf (and, with PYTHON, beside its twin in that run).
    "$workbench" bench --archs "$arch" --threads 1 --no-lengths --repeats "$repeats" "${twin[@]}" \
        --json "$scratch/$arch.json" > /dev/null 2>&1
    ours=$(jq '.results[0].train_tokens_per_second' "$scratch/$arch.json")
    pytorch=$(jq -r '.pytorch[0].train_tokens_per_second // ""' "$scratch/$arch.json")
    awk -v arch="$arch" -v ours="$ours" -v share="$share" -v pt="$pytorch" 'BEGIN {
        floor = share > 0 ? ours / (share / 100) : 0
        if (pt == "") printf "| %s | %.1fk | %s %% | %.1fk | – | – | – |\n", arch, ours / 1e3, share, floor / 1e3
        else printf "| %s | %.1fk | %s %% | %.1fk | %.1fk | %.2f | %.2f |\n", arch, ours / 1e3, share, floor / 1e3, pt / 1e3, ours / pt, floor / pt
    }'
done
