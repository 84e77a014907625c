# Shared helpers of the bench scripts; sourced by them, not run directly.
#
# Every server a bench starts listens on 127.0.0.1 inside a network namespace
# of its own that has only the loopback interface (unshare -n), so no load
# can leave the machine and the fixed ports below never meet another
# engineer's servers.

BENCH_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_SCRIPTS/.." && pwd)"
CLI_DLL="$REPO/services/Relayguard.Cli/bin/Release/net10.0/relayguard.dll"
BENCH_DLL="$REPO/bench/Relayguard.Benchmarks/bin/Release/net10.0/relayguard-bench.dll"
LOAD_DLL="$REPO/bench/Relayguard.LoadClient/bin/Release/net10.0/relayguard-load.dll"
SMTP_SINK=/usr/sbin/smtp-sink
SMTP_SOURCE=/usr/sbin/smtp-source
POSTFIX=/usr/sbin/postfix

# Ports inside the bench's own namespace.
SINK_PORT=2600
POSTFIX_PORT=2601
GATEWAY_PORT=2602
GATEWAY_OPS_PORT=2603
GATEWAY_TLS_PORT=2604

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

bench_log() {
    printf 'bench: %s\n' "$*" >&2
}

bench_fail() {
    printf 'bench: FAILED: %s\n' "$*" >&2
    exit 1
}

# Build the product and the bench programs in Release. Runs before the
# network namespace is entered, because a first restore needs NuGet.
build_bench() {
    bench_log "building Release (dotnet build)"
    dotnet build "$REPO/services/Relayguard.Cli/Relayguard.Cli.csproj" -c Release -v quiet -nologo >"$1/build.log" 2>&1 ||
        { tail -n 30 "$1/build.log" >&2; bench_fail "dotnet build of the CLI failed (log: $1/build.log)"; }
    dotnet build "$REPO/bench/Relayguard.Benchmarks/Relayguard.Benchmarks.csproj" -c Release -v quiet -nologo >>"$1/build.log" 2>&1 ||
        { tail -n 30 "$1/build.log" >&2; bench_fail "dotnet build of the benchmarks failed (log: $1/build.log)"; }
    dotnet build "$REPO/bench/Relayguard.LoadClient/Relayguard.LoadClient.csproj" -c Release -v quiet -nologo >>"$1/build.log" 2>&1 ||
        { tail -n 30 "$1/build.log" >&2; bench_fail "dotnet build of the load client failed (log: $1/build.log)"; }
    dotnet build-server shutdown >/dev/null 2>&1 || true
}

# Run SCRIPT again with ARGS inside a new network namespace with only
# loopback up. Returns in the child; the parent exits with its status.
enter_loopback_namespace() {
    local script="$1"
    shift
    if [[ "${RELAYGUARD_BENCH_NETNS:-}" == 1 ]]; then
        return 0
    fi
    command -v unshare >/dev/null || bench_fail "unshare (util-linux) is missing"
    unshare -n env RELAYGUARD_BENCH_NETNS=1 bash -c 'ip link set lo up && exec bash "$@"' bash "$script" "$@"
    exit $?
}

# Print the machine and its load as Markdown list items.
machine_info() {
    local cpu memory
    cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    memory="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    printf -- '- machine: %s cores (nproc), %s, %s memory, kernel %s\n' "$(nproc)" "$cpu" "$memory" "$(uname -r)"
    printf -- '- load average at start (1, 5, 15 min): %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf -- '- .NET SDK %s; Postfix %s\n' "$(dotnet --version 2>/dev/null || echo unknown)" "$(postconf -d mail_version 2>/dev/null | sed 's/.*= //')"
}

# Print the 1-minute load average.
load_1min() {
    cut -d' ' -f1 /proc/loadavg
}

# Wait until the 1-minute load average is below MAX, polling every 15 s for
# at most TIMEOUT seconds. Fails when it stays higher.
wait_for_load() {
    local max="$1" timeout="$2" deadline=$((SECONDS + $2))
    while awk -v l="$(load_1min)" -v m="$max" 'BEGIN { exit !(l >= m) }'; do
        ((SECONDS < deadline)) || bench_fail "the 1-minute load average stayed at or above $max for $timeout s (now $(load_1min))"
        bench_log "load average $(load_1min) >= $max; waiting"
        sleep 15
    done
}

# Wait until something accepts TCP connections on 127.0.0.1:PORT.
wait_for_port() {
    local port="$1" timeout="${2:-60}" deadline=$((SECONDS + ${2:-60}))
    until timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; do
        ((SECONDS < deadline)) || bench_fail "nothing listens on 127.0.0.1:$port after $timeout s"
        sleep 0.1
    done
}

# Print the median of the numbers on standard input.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan" } else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

# Print the resident set size of PID in MiB.
rss_mib() {
    awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Start smtp-sink on 127.0.0.1:PORT; sets SINK_PID.
start_sink() {
    "$SMTP_SINK" -u nobody "127.0.0.1:$1" 256 >/dev/null 2>&1 &
    SINK_PID=$!
    wait_for_port "$1"
}

# Start Postfix from a private configuration in DIR as a relay on
# 127.0.0.1:PORT to RELAYHOST (HOST:PORT), with the settings of the test
# harness (tests/Relayguard.IntegrationTests/Infrastructure/PostfixInstance.cs).
start_postfix() {
    local dir="$1" port="$2" relayhost="$3"
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
    chmod 755 "$dir"
    chown postfix "$dir/data"
    cat >"$dir/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
meta_directory = /etc/postfix
myhostname = postfix.bench.test
mydomain = bench.test
myorigin = bench.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [${relayhost%:*}]:${relayhost##*:}
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
smtp_host_lookup = native
maillog_file_prefixes = /tmp, /var
maillog_file = $dir/maillog
alias_maps =
alias_database =
local_recipient_maps =
biff = no
CONF
    awk -v port="$port" '
        /^smtp[ \t]+inet/ { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
        !/^#/ && NF >= 8 && $5 == "y" { $5 = "n"; print; next }
        { print }' /etc/postfix/master.cf >"$dir/etc/master.cf"
    "$POSTFIX" -c "$dir/etc" start >/dev/null 2>&1 || bench_fail "postfix -c $dir/etc start failed; see $dir/maillog"
    wait_for_port "$port"
}

stop_postfix() {
    [[ -f "$1/etc/main.cf" ]] && "$POSTFIX" -c "$1/etc" stop >/dev/null 2>&1 || true
}

# Print the number of messages in the Postfix queue of DIR.
postfix_queue_size() {
    find "$1/queue/incoming" "$1/queue/active" "$1/queue/deferred" "$1/queue/maildrop" -type f 2>/dev/null | wc -l
}

# Wait until the Postfix queue in DIR is empty, for at most TIMEOUT seconds.
wait_for_postfix_queue() {
    local deadline=$((SECONDS + $2))
    while (($(postfix_queue_size "$1") > 0)); do
        ((SECONDS < deadline)) || bench_fail "the Postfix queue in $1 still holds $(postfix_queue_size "$1") messages after $2 s"
        sleep 0.05
    done
}

# Start `relayguard run` with DATA directory and extra options; sets
# GATEWAY_PID and waits for its SMTP and operations listeners.
start_gateway() {
    local data="$1"
    shift
    mkdir -p "$data/cwd"
    # An empty working directory: the host watches its content root (the working directory) for configuration
    # changes, and in the repository or the data folder every build or SQLite write would wake that watcher.
    (cd "$data/cwd" && exec dotnet "$CLI_DLL" run --data "$data" --smtp "127.0.0.1:$GATEWAY_PORT" --ops "127.0.0.1:$GATEWAY_OPS_PORT" "$@") \
        >"$data/gateway.log" 2>&1 &
    GATEWAY_PID=$!
    wait_for_port "$GATEWAY_PORT" 120
    wait_for_port "$GATEWAY_OPS_PORT" 30
}

stop_pid() {
    local pid="$1"
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# Print a value of the gateway's Prometheus metrics, or nothing.
gateway_metric() {
    curl --noproxy '*' -s --max-time 5 "http://127.0.0.1:$GATEWAY_OPS_PORT/metrics" |
        awk -v name="$1" '$1 == name || index($1, name "{") == 1 { print $2; exit }'
}

# Start RabbitMQ and Rspamd with the test environment's own scripts, with
# their state under WORK/env. Inside the bench's namespace their ports
# (AMQP 5679, Rspamd 11433, unless the environment moves them as
# scripts/test-env/lib.sh allows) meet no other broker or scanner.
RABBITMQ_URI="amqp://guest:guest@127.0.0.1:${RABBITMQ_AMQP_PORT:-5679}/"
RSPAMD_URL="http://127.0.0.1:${RSPAMD_NORMAL_PORT:-11433}"

start_rabbitmq() {
    mkdir -p "$1/env"
    RELAYGUARD_TEST_ENV_DIR="$1/env" bash "$REPO/scripts/test-env/rabbitmq.sh" start >&2
    RELAYGUARD_TEST_ENV_DIR="$1/env" bash "$REPO/scripts/test-env/rabbitmq.sh" wait >&2
}

stop_rabbitmq() {
    [[ -d "$1/env/rabbitmq" ]] || return 0
    RELAYGUARD_TEST_ENV_DIR="$1/env" bash "$REPO/scripts/test-env/rabbitmq.sh" stop >&2 || true
}

start_rspamd() {
    mkdir -p "$1/env"
    RELAYGUARD_TEST_ENV_DIR="$1/env" bash "$REPO/scripts/test-env/rspamd.sh" start >&2
    RELAYGUARD_TEST_ENV_DIR="$1/env" bash "$REPO/scripts/test-env/rspamd.sh" wait >&2
}

stop_rspamd() {
    [[ -d "$1/env/rspamd" ]] || return 0
    RELAYGUARD_TEST_ENV_DIR="$1/env" bash "$REPO/scripts/test-env/rspamd.sh" stop >&2 || true
}

# Prepare WORK (RELAYGUARD_BENCH_WORK), build unless
# RELAYGUARD_BENCH_SKIP_BUILD=1, and re-run SCRIPT ARGS in the namespace.
bench_prologue() {
    local script="$1"
    shift
    if [[ "${RELAYGUARD_BENCH_NETNS:-}" != 1 ]]; then
        ((EUID == 0)) || bench_fail "run as root: the network namespace (and Postfix, RabbitMQ, Rspamd) need it"
        export RELAYGUARD_BENCH_WORK="${RELAYGUARD_BENCH_WORK:-$(mktemp -d "/tmp/relayguard-bench-$(basename "$script" .sh).XXXXXX")}"
        chmod 755 "$RELAYGUARD_BENCH_WORK"
        [[ "${RELAYGUARD_BENCH_SKIP_BUILD:-}" == 1 ]] || build_bench "$RELAYGUARD_BENCH_WORK"
        enter_loopback_namespace "$script" "$@"
    fi
}

# Print the report header: the command and the machine.
report_header() {
    echo "## bench/$1 $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`bench/$1 ${*:2}\`"
    machine_info
    echo
}
