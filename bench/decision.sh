#!/usr/bin/env bash
# Decision latency: from the gateway writing the event that crosses CA2's
# threshold to the first refused MAIL FROM from that address, p50 and p99
# over 1,000 decisions; embedded (in-memory bus) and with the same services
# and consumers in one process on RabbitMQ (inside the bench's namespace).
#
# Each run first makes at least two rounds of 1,000 decisions untimed (50
# with --smoke), until a round leaves the JIT compiler nearly idle, so the
# timed ones measure compiled code.
#
# usage: bench/decision.sh [--smoke] [--decisions N]
#   --smoke        50 decisions per transport, after rounds of 50 untimed
#   --decisions N  decisions per transport (default 1000)
# Prints a Markdown report on standard output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DECISIONS=1000
WARMUP=1000
ARGS=("$@")
while (($# > 0)); do
    case "$1" in
        --smoke) DECISIONS=50 WARMUP=50 ;;
        --decisions) DECISIONS="$2"; shift ;;
        *) bench_fail "unknown option $1 (see the usage at the top of $0)" ;;
    esac
    shift
done

bench_prologue "$0" "${ARGS[@]}"
WORK="$RELAYGUARD_BENCH_WORK"
trap 'stop_rabbitmq "$WORK"' EXIT
start_rabbitmq "$WORK"
report_header decision.sh "${ARGS[@]}" >"$WORK/report.md"
for transport in memory rabbitmq; do
    bench_log "$DECISIONS decisions on $transport (load average $(load_1min))"
    (cd "$WORK" && dotnet "$BENCH_DLL" decision --transport "$transport" --rabbitmq "$RABBITMQ_URI" \
        --decisions "$DECISIONS" --warmup "$WARMUP" >"$WORK/decision-$transport.txt" 2>"$WORK/decision-$transport.log") ||
        { tail -n 20 "$WORK/decision-$transport.log" >&2; bench_fail "the decision run on $transport failed (log: $WORK/decision-$transport.log)"; }
    {
        echo "### $transport"
        echo
        echo '```'
        grep -E '^(transport=|decision latency|  )' "$WORK/decision-$transport.txt"
        echo '```'
        echo
        echo "- load average after the run (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
        echo
    } >>"$WORK/report.md"
done
cat "$WORK/report.md"
