#!/usr/bin/env bash
# Detector throughput per replica: events per second that each detector's
# consumer applies with its SQLite store, on the in-memory bus (embedded)
# and on RabbitMQ, and its rule called directly (no bus) for comparison.
# On each bus it is measured twice. In the first run the publisher works in
# the same process at the same time. In the second the events are queued
# first, so the timed part is the consumer alone, as in a detector whose
# gateway is another process. Each run first handles 5,000 events untimed
# (500 with --smoke), then as many again until a round of them leaves the
# JIT compiler nearly idle. The figures are then those of a detector that
# has been up for a while. Tiered compilation kept recompiling MassTransit's
# generic pipes for about 40,000 events on the in-memory bus. RabbitMQ runs
# inside the bench's network namespace.
#
# usage: bench/detectors.sh [--smoke] [--events N] [--rounds N]
#   --smoke     2,000 events after rounds of 500 untimed, one run, CA1 only
#   --events N  events per run (default 20000)
#   --rounds N  runs per figure; the median is reported (default 3)
# Prints a Markdown report on standard output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EVENTS=20000
WARMUP=5000
ROUNDS=3
DETECTORS=(ca1 ca2 bo1 rl1)
ARGS=("$@")
while (($# > 0)); do
    case "$1" in
        --smoke) EVENTS=2000 WARMUP=500 ROUNDS=1 DETECTORS=(ca1) ;;
        --events) EVENTS="$2"; shift ;;
        --rounds) ROUNDS="$2"; shift ;;
        *) bench_fail "unknown option $1 (see the usage at the top of $0)" ;;
    esac
    shift
done

bench_prologue "$0" "${ARGS[@]}"
WORK="$RELAYGUARD_BENCH_WORK"
trap 'stop_rabbitmq "$WORK"' EXIT
start_rabbitmq "$WORK"
report_header detectors.sh "${ARGS[@]}" >"$WORK/report.md"
{
    echo "### Events per second, $EVENTS events per run, median of $ROUNDS runs"
    echo
    echo "| detector | rule called directly (32 tasks) | in-memory bus, publisher alongside | in-memory bus, queued first | RabbitMQ, publisher alongside | RabbitMQ, queued first |"
    echo "|---|---|---|---|---|---|"
} >>"$WORK/report.md"

for detector in "${DETECTORS[@]}"; do
    for run in none:no memory:no memory:yes rabbitmq:no rabbitmq:yes; do
        transport="${run%%:*}"
        prefill="${run##*:}"
        for round in $(seq 1 "$ROUNDS"); do
            bench_log "$detector on $transport (queued first: $prefill), run $round/$ROUNDS (load average $(load_1min))"
            line="$(dotnet "$BENCH_DLL" detectors --detector "$detector" --transport "$transport" --prefill "$prefill" \
                --warmup "$WARMUP" --rabbitmq "$RABBITMQ_URI" --events "$EVENTS" 2>>"$WORK/detectors.log" | tail -n 1)" ||
                bench_fail "the $detector run on $transport failed (log: $WORK/detectors.log): $line"
            echo "$line" >>"$WORK/runs.txt"
            echo "${line##*rate=}" >>"$WORK/$detector-$transport-$prefill"
        done
    done
    printf '| %s | %s | %s | %s | %s | %s |\n' "$detector" "$(median <"$WORK/$detector-none-no") ev/s" \
        "$(median <"$WORK/$detector-memory-no") ev/s" "$(median <"$WORK/$detector-memory-yes") ev/s" \
        "$(median <"$WORK/$detector-rabbitmq-no") ev/s" "$(median <"$WORK/$detector-rabbitmq-yes") ev/s" >>"$WORK/report.md"
done
{
    echo
    echo "Runs, in order:"
    echo
    echo '```'
    cat "$WORK/runs.txt"
    echo '```'
    echo
    echo "- load average at the end (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$WORK/report.md"
cat "$WORK/report.md"
