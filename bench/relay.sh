#!/usr/bin/env bash
# Relay throughput, side by side in one run: Postfix's smtp-source (20
# sessions, 1 KiB messages; a new connection per message, then reused
# connections) into smtp-sink directly, through Relayguard (embedded,
# trusted loopback, no scanner, RL1 off) into the same sink, and through
# Postfix as a relay into the same sink. Then Relayguard with AUTH over
# STARTTLS from a pipelining MailKit client (bench/Relayguard.LoadClient),
# and Relayguard with Rspamd scanning every message.
#
# usage: bench/relay.sh [--smoke] [--rounds N] [--messages N] [--parts LIST]
#   --smoke       one short round of each part (what CI runs)
#   --rounds N    rounds per comparison; figures are medians (default 5)
#   --messages N  messages per smtp-source run (default 5000)
#   --parts LIST  comma-separated subset of: plain,tls,rspamd (default all)
# Prints a Markdown report on standard output; progress goes to standard
# error. Runs as root (Postfix, network namespace). Everything listens on
# 127.0.0.1 in a network namespace of its own.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=5
MESSAGES=5000
SESSIONS=20
SIZE=1024
PARTS="plain,tls,rspamd"
SMOKE=0
ARGS=("$@")
while (($# > 0)); do
    case "$1" in
        --smoke) SMOKE=1 ROUNDS=1 MESSAGES=100 ;;
        --rounds) ROUNDS="$2"; shift ;;
        --messages) MESSAGES="$2"; shift ;;
        --parts) PARTS="$2"; shift ;;
        *) bench_fail "unknown option $1 (see the usage at the top of $0)" ;;
    esac
    shift
done

if [[ "${RELAYGUARD_BENCH_NETNS:-}" != 1 ]]; then
    ((EUID == 0)) || bench_fail "run as root: Postfix and the network namespace need it"
    export RELAYGUARD_BENCH_WORK="${RELAYGUARD_BENCH_WORK:-$(mktemp -d /tmp/relayguard-bench-relay.XXXXXX)}"
    chmod 755 "$RELAYGUARD_BENCH_WORK"
    [[ "${RELAYGUARD_BENCH_SKIP_BUILD:-}" == 1 ]] || build_bench "$RELAYGUARD_BENCH_WORK"
    enter_loopback_namespace "$0" "${ARGS[@]}"
fi

WORK="$RELAYGUARD_BENCH_WORK"
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
SINK_PID=""
GATEWAY_PID=""
RSPAMD_STARTED=0

cleanup() {
    stop_pid "$GATEWAY_PID"
    stop_postfix "$WORK/postfix"
    stop_pid "$SINK_PID"
    if ((RSPAMD_STARTED == 1)); then
        RELAYGUARD_TEST_ENV_DIR="$WORK/env" bash "$REPO/scripts/test-env/rspamd.sh" stop || true
    fi
}
trap cleanup EXIT

GATEWAY_COMMON=(--trusted 127.0.0.0/8 --upstream "127.0.0.1:$SINK_PORT"
    --Rules:RL1:MessagesPerHour=0 --Rules:RL1:RecipientsPerHour=0)

# Run smtp-source against PORT; MODE is "new" (a connection per message) or
# "reuse". Prints the client-side rate in messages per second.
source_rate() {
    local port="$1" mode="$2" count="$3" log="$4" reuse=()
    [[ "$mode" == reuse ]] && reuse=(-d)
    local start end
    start="$(date +%s.%N)"
    "$SMTP_SOURCE" "${reuse[@]}" -s "$SESSIONS" -m "$count" -l "$SIZE" -f bench@bench.test -t sink@sink.test \
        "127.0.0.1:$port" 2>>"$log" || bench_fail "smtp-source to port $port failed; see $log"
    end="$(date +%s.%N)"
    awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", n / (e - s) }'
}

# The plain comparison: sink, Relayguard and Postfix, interleaved in every
# round so that drift in the machine's load reaches all three alike.
run_plain() {
    start_gateway "$WORK/gateway-plain" "${GATEWAY_COMMON[@]}"
    local warm=$((MESSAGES < 1000 ? MESSAGES : 1000))
    source_rate "$GATEWAY_PORT" reuse "$warm" "$RESULTS/smtp-source.log" >/dev/null
    source_rate "$GATEWAY_PORT" new "$warm" "$RESULTS/smtp-source.log" >/dev/null
    source_rate "$POSTFIX_PORT" new "$((warm / 4))" "$RESULTS/smtp-source.log" >/dev/null
    wait_for_postfix_queue "$WORK/postfix" 300

    local round mode start rate drained
    for round in $(seq 1 "$ROUNDS"); do
        for mode in new reuse; do
            bench_log "round $round/$ROUNDS, $mode connections (load average $(load_1min))"
            source_rate "$SINK_PORT" "$mode" "$MESSAGES" "$RESULTS/smtp-source.log" >>"$RESULTS/sink-$mode"
            source_rate "$GATEWAY_PORT" "$mode" "$MESSAGES" "$RESULTS/smtp-source.log" >>"$RESULTS/relayguard-$mode"
            start="$(date +%s.%N)"
            rate="$(source_rate "$POSTFIX_PORT" "$mode" "$MESSAGES" "$RESULTS/smtp-source.log")"
            wait_for_postfix_queue "$WORK/postfix" 600
            drained="$(awk -v n="$MESSAGES" -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", n / (e - s) }')"
            echo "$rate" >>"$RESULTS/postfix-$mode"
            echo "$drained" >>"$RESULTS/postfix-drained-$mode"
            load_1min >>"$RESULTS/load"
        done
    done
    GATEWAY_RSS_PLAIN="$(rss_mib "$GATEWAY_PID")"
    OUTBOX_LEFT="$(gateway_metric relayguard_outbox_pending)"
    stop_pid "$GATEWAY_PID"
    GATEWAY_PID=""
}

print_plain() {
    local mode sink relayguard postfix drained
    echo "### smtp-source, $SESSIONS sessions, $SIZE-byte messages, $MESSAGES messages per run, median of $ROUNDS rounds"
    echo
    echo "| connections | smtp-sink direct | through Relayguard | through Postfix (accepted) | through Postfix (queue drained) | Relayguard / Postfix | Relayguard / Postfix drained | Relayguard / direct |"
    echo "|---|---|---|---|---|---|---|---|"
    for mode in new reuse; do
        sink="$(median <"$RESULTS/sink-$mode")"
        relayguard="$(median <"$RESULTS/relayguard-$mode")"
        postfix="$(median <"$RESULTS/postfix-$mode")"
        drained="$(median <"$RESULTS/postfix-drained-$mode")"
        awk -v m="$mode" -v s="$sink" -v r="$relayguard" -v p="$postfix" -v d="$drained" 'BEGIN {
            printf "| %s | %.0f msg/s | %.0f msg/s | %.0f msg/s | %.0f msg/s | %.2f | %.2f | %.2f |\n",
                (m == "new" ? "new per message" : "reused"), s, r, p, d, r / p, r / d, r / s }'
    done
    echo
    echo "Per-round rates (msg/s), in run order:"
    echo
    for mode in new reuse; do
        echo "- $mode: sink $(paste -sd' ' "$RESULTS/sink-$mode"); Relayguard $(paste -sd' ' "$RESULTS/relayguard-$mode"); Postfix $(paste -sd' ' "$RESULTS/postfix-$mode"); Postfix drained $(paste -sd' ' "$RESULTS/postfix-drained-$mode")"
    done
    echo "- 1-minute load average after each measurement: $(paste -sd' ' "$RESULTS/load")"
    echo "- gateway RSS at the end: ${GATEWAY_RSS_PLAIN} MiB; events still in its outbox: ${OUTBOX_LEFT:-unknown}"
    echo "- smtp-source warnings or errors: $(cat "$RESULTS/smtp-source.log" 2>/dev/null | wc -l)"
    echo
}

# AUTH over STARTTLS from the MailKit load client, against the same client
# in plain text from the trusted range, on the same gateway.
run_tls() {
    local data="$WORK/gateway-tls"
    mkdir -p "$data"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=gateway.bench.test" \
        -keyout "$data/key.pem" -out "$data/cert.pem" >/dev/null 2>&1 || bench_fail "openssl could not make the bench certificate"
    printf 'bench-password-1\n' | dotnet "$CLI_DLL" accounts add bench --password-stdin --data "$data" >/dev/null ||
        bench_fail "relayguard accounts add failed"
    start_gateway "$data" "${GATEWAY_COMMON[@]}" --tls-cert "$data/cert.pem" --tls-key "$data/key.pem"
    local tls=(--port "$GATEWAY_PORT" --starttls --server-cert "$data/cert.pem" --user bench --password bench-password-1)
    local plain=(--port "$GATEWAY_PORT")
    local count=$((MESSAGES * 2))
    dotnet "$LOAD_DLL" send "${tls[@]}" --sessions "$SESSIONS" --messages "$((count / 5))" >/dev/null
    dotnet "$LOAD_DLL" send "${plain[@]}" --sessions "$SESSIONS" --messages "$((count / 5))" >/dev/null

    local round line
    for round in $(seq 1 "$ROUNDS"); do
        bench_log "TLS round $round/$ROUNDS (load average $(load_1min))"
        line="$(dotnet "$LOAD_DLL" send "${plain[@]}" --sessions "$SESSIONS" --messages "$count")"
        echo "${line##*rate=}" >>"$RESULTS/mailkit-plain"
        line="$(dotnet "$LOAD_DLL" send "${tls[@]}" --sessions "$SESSIONS" --messages "$count")"
        echo "${line##*rate=}" >>"$RESULTS/mailkit-tls"
        line="$(dotnet "$LOAD_DLL" send "${tls[@]}" --sessions "$SESSIONS" --messages "$((count / 10))" --per-connection 1)"
        echo "${line##*rate=}" >>"$RESULTS/mailkit-tls-new"
        load_1min >>"$RESULTS/load-tls"
    done
    stop_pid "$GATEWAY_PID"
    GATEWAY_PID=""
}

print_tls() {
    echo "### MailKit client (pipelining), $SESSIONS sessions, $SIZE-byte messages, median of $ROUNDS rounds"
    echo
    echo "| client | messages per run | rate |"
    echo "|---|---|---|"
    echo "| trusted loopback, no TLS, no AUTH, reused connections | $((MESSAGES * 2)) | $(median <"$RESULTS/mailkit-plain") msg/s |"
    echo "| STARTTLS + AUTH PLAIN, reused connections | $((MESSAGES * 2)) | $(median <"$RESULTS/mailkit-tls") msg/s |"
    echo "| STARTTLS + AUTH PLAIN, a new connection per message | $((MESSAGES / 5)) | $(median <"$RESULTS/mailkit-tls-new") msg/s |"
    echo
    echo "- 1-minute load average after each round: $(paste -sd' ' "$RESULTS/load-tls")"
    echo
}

# Rspamd scanning every message (the stock rules less the network modules,
# as scripts/test-env/rspamd.sh configures it).
run_rspamd() {
    mkdir -p "$WORK/env"
    RSPAMD_STARTED=1
    RELAYGUARD_TEST_ENV_DIR="$WORK/env" bash "$REPO/scripts/test-env/rspamd.sh" start
    RELAYGUARD_TEST_ENV_DIR="$WORK/env" bash "$REPO/scripts/test-env/rspamd.sh" wait
    start_gateway "$WORK/gateway-rspamd" "${GATEWAY_COMMON[@]}" --rspamd http://127.0.0.1:11433
    local count=$((MESSAGES / 5))
    source_rate "$GATEWAY_PORT" reuse "$((count / 5 + 1))" "$RESULTS/smtp-source-rspamd.log" >/dev/null
    local round
    for round in $(seq 1 "$ROUNDS"); do
        bench_log "Rspamd round $round/$ROUNDS (load average $(load_1min))"
        source_rate "$GATEWAY_PORT" new "$count" "$RESULTS/smtp-source-rspamd.log" >>"$RESULTS/rspamd-new"
        source_rate "$GATEWAY_PORT" reuse "$count" "$RESULTS/smtp-source-rspamd.log" >>"$RESULTS/rspamd-reuse"
        load_1min >>"$RESULTS/load-rspamd"
    done
    SCANNED="$(grep -c 'checkv2' "$WORK/env/rspamd/log/rspamd.log" 2>/dev/null || true)"
    stop_pid "$GATEWAY_PID"
    GATEWAY_PID=""
}

print_rspamd() {
    echo "### Relayguard with Rspamd, smtp-source, $SESSIONS sessions, $SIZE-byte messages, $((MESSAGES / 5)) messages per run, median of $ROUNDS rounds"
    echo
    echo "| connections | rate |"
    echo "|---|---|"
    echo "| new per message | $(median <"$RESULTS/rspamd-new") msg/s |"
    echo "| reused | $(median <"$RESULTS/rspamd-reuse") msg/s |"
    echo
    echo "- 1-minute load average after each round: $(paste -sd' ' "$RESULTS/load-rspamd")"
    echo
}

bench_log "work folder: $WORK"
start_sink "$SINK_PORT"
start_postfix "$WORK/postfix" "$POSTFIX_PORT" "127.0.0.1:$SINK_PORT"
{
    echo "## bench/relay.sh $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`bench/relay.sh ${ARGS[*]:-}\`"
    machine_info
    echo
} >"$RESULTS/report.md"

[[ ",$PARTS," == *,plain,* ]] && { run_plain; print_plain >>"$RESULTS/report.md"; }
[[ ",$PARTS," == *,tls,* ]] && { run_tls; print_tls >>"$RESULTS/report.md"; }
[[ ",$PARTS," == *,rspamd,* ]] && { run_rspamd; print_rspamd >>"$RESULTS/report.md"; }
echo "- load average at the end (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/report.md"
cat "$RESULTS/report.md"
