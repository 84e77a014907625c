#!/usr/bin/env bash
# Gateway memory: resident set size (RSS) with 500 concurrent sessions
# (plain trusted sessions, then STARTTLS sessions after AUTH), and the RSS
# growth while one 35 MiB message passes through to smtp-sink. Each part
# starts a fresh gateway (embedded, relaying to smtp-sink) and warms it with
# 1,000 messages first.
#
# usage: bench/memory.sh [--smoke]
#   --smoke   50 sessions and a 1 MiB message
# Prints a Markdown report on standard output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SESSIONS=500
BIG=$((35 * 1024 * 1024 - 4096))
WARM=1000
ARGS=("$@")
while (($# > 0)); do
    case "$1" in
        --smoke) SESSIONS=50 BIG=$((1024 * 1024)) WARM=100 ;;
        *) bench_fail "unknown option $1 (see the usage at the top of $0)" ;;
    esac
    shift
done

bench_prologue "$0" "${ARGS[@]}"
WORK="$RELAYGUARD_BENCH_WORK"
SINK_PID=""
GATEWAY_PID=""
trap 'stop_pid "$GATEWAY_PID"; stop_pid "$SINK_PID"' EXIT
start_sink "$SINK_PORT"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=gateway.bench.test" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 || bench_fail "openssl could not make the bench certificate"

# Start a fresh gateway in WORK/NAME with an account and TLS, and warm it.
fresh_gateway() {
    stop_pid "$GATEWAY_PID"
    mkdir -p "$WORK/$1"
    printf 'bench-password-1\n' | dotnet "$CLI_DLL" accounts add bench --password-stdin --data "$WORK/$1" >/dev/null ||
        bench_fail "relayguard accounts add failed"
    start_gateway "$WORK/$1" --trusted 127.0.0.0/8 --upstream "127.0.0.1:$SINK_PORT" \
        --Rules:RL1:MessagesPerHour=0 --Rules:RL1:RecipientsPerHour=0 \
        --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
    "$SMTP_SOURCE" -s 20 -m "$WARM" -l 1024 -f bench@bench.test -t sink@sink.test "127.0.0.1:$GATEWAY_PORT" ||
        bench_fail "warming the gateway failed"
    sleep 2
}

# Hold SESSIONS sessions with the load client options given, and print the
# highest RSS seen while they are open.
hold_sessions() {
    local log="$WORK/hold.log" peak=0 rss
    dotnet "$LOAD_DLL" hold --port "$GATEWAY_PORT" --sessions "$SESSIONS" --hold-seconds 15 "$@" >"$log" 2>&1 &
    local client=$!
    for _ in $(seq 1 600); do
        grep -q holding "$log" && break
        kill -0 "$client" 2>/dev/null || bench_fail "the load client exited before holding its sessions: $(cat "$log")"
        sleep 0.1
    done
    for _ in $(seq 1 20); do
        rss="$(rss_mib "$GATEWAY_PID")"
        peak="$(awk -v a="$peak" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')"
        sleep 0.5
    done
    echo "$peak $(gateway_metric relayguard_smtp_sessions)"
    wait "$client" || bench_fail "the load client failed: $(cat "$log")"
}

report_header memory.sh "${ARGS[@]}" >"$WORK/report.md"
echo "| measurement | RSS before | RSS during | growth |" >>"$WORK/report.md"
echo "|---|---|---|---|" >>"$WORK/report.md"

bench_log "$SESSIONS plain sessions (load average $(load_1min))"
fresh_gateway plain
before="$(rss_mib "$GATEWAY_PID")"
read -r peak open <<<"$(hold_sessions)"
echo "| $SESSIONS concurrent sessions, EHLO only, trusted (${open:-?} open by the gateway's gauge) | $before MiB | $peak MiB | $(awk -v a="$before" -v b="$peak" 'BEGIN { printf "%.1f", b - a }') MiB |" >>"$WORK/report.md"

bench_log "$SESSIONS TLS sessions (load average $(load_1min))"
fresh_gateway tls
before="$(rss_mib "$GATEWAY_PID")"
read -r peak open <<<"$(hold_sessions --starttls --server-cert "$WORK/cert.pem" --user bench --password bench-password-1)"
echo "| $SESSIONS concurrent sessions, STARTTLS and AUTH (${open:-?} open) | $before MiB | $peak MiB | $(awk -v a="$before" -v b="$peak" 'BEGIN { printf "%.1f", b - a }') MiB |" >>"$WORK/report.md"

bench_log "one message of $BIG octets (load average $(load_1min))"
fresh_gateway big
before="$(rss_mib "$GATEWAY_PID")"
# RSS sampled every 20 ms while the message passes; the largest sample is the peak.
(while kill -0 "$GATEWAY_PID" 2>/dev/null; do rss_mib "$GATEWAY_PID"; echo; sleep 0.02; done) >"$WORK/big-rss.txt" &
sampler=$!
result="$(dotnet "$LOAD_DLL" big --port "$GATEWAY_PORT" --size "$BIG")" || bench_fail "the large message was not accepted: $result"
sleep 1
kill "$sampler" 2>/dev/null || true
peak="$(sort -g "$WORK/big-rss.txt" | tail -n 1)"
echo "| one message with a body of $BIG octets ($result), RSS sampled every 20 ms | $before MiB | $peak MiB | $(awk -v a="$before" -v b="$peak" 'BEGIN { printf "%.1f", b - a }') MiB |" >>"$WORK/report.md"

{
    echo
    echo "- load average at the end (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$WORK/report.md"
cat "$WORK/report.md"
