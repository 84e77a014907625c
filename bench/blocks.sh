#!/usr/bin/env bash
# Block lookup per MAIL FROM with 1,000,000 active blocks: BenchmarkDotNet
# (mean and percentiles of BlockCache.Find per case), per-call percentiles
# over 2,000,000 lookups, and the managed heap the cache holds per block.
#
# usage: bench/blocks.sh [--smoke]
#   --smoke   10,000 blocks, 100,000 lookups and BenchmarkDotNet's dry job
# Prints a Markdown report on standard output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BLOCKS=1000000
CALLS=2000000
JOB=(--job short --inProcess)
ARGS=("$@")
while (($# > 0)); do
    case "$1" in
        --smoke) BLOCKS=10000 CALLS=100000 JOB=(--job dry --inProcess) ;;
        *) bench_fail "unknown option $1 (see the usage at the top of $0)" ;;
    esac
    shift
done

bench_prologue "$0" "${ARGS[@]}"
WORK="$RELAYGUARD_BENCH_WORK"
report_header blocks.sh "${ARGS[@]}" >"$WORK/report.md"

bench_log "block memory with $BLOCKS subjects"
{
    echo "### Memory held by the cache"
    echo
    echo '```'
    dotnet "$BENCH_DLL" block-memory --blocks "$BLOCKS"
    echo '```'
    echo
    echo "### Per-call latency of BlockCache.Find"
    echo
    echo '```'
    dotnet "$BENCH_DLL" lookup-latency --blocks "$BLOCKS" --calls "$CALLS"
    echo '```'
    echo
} >>"$WORK/report.md"

bench_log "BenchmarkDotNet (load average $(load_1min))"
# BlockLookupBenchmarks reads the number of blocked subjects from here.
export RELAYGUARD_BENCH_BLOCKS="$BLOCKS"
(cd "$WORK" && dotnet "$BENCH_DLL" lookup --filter '*' "${JOB[@]}" --exporters github \
    --artifacts "$WORK/bdn" >"$WORK/bdn.log" 2>&1) ||
    { tail -n 40 "$WORK/bdn.log" >&2; bench_fail "BenchmarkDotNet failed (log: $WORK/bdn.log)"; }
{
    echo "### BenchmarkDotNet"
    echo
    cat "$WORK"/bdn/results/*-report-github.md 2>/dev/null || echo "(no report: see $WORK/bdn.log)"
    echo
    echo "- load average at the end (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$WORK/report.md"
cat "$WORK/report.md"
