# Shared settings and helpers of the test environment scripts.
# Sourced by up.sh, down.sh, rabbitmq.sh and rspamd.sh, not run directly.

TEST_ENV_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$TEST_ENV_SCRIPTS/../.." && pwd)"

# State folder: configuration, data, logs and PID files of this run's servers.
# An absolute path, because it is written into env.sh and the server configs.
STATE="$(realpath -m -- "${RELAYGUARD_TEST_ENV_DIR:-$REPO/.test-env}")"

# Every server listens on 127.0.0.1 only. epmd also binds ::1, which it
# always adds to the addresses it is given. Each port can be moved with the
# environment variable of the same name, for a machine where it is taken.
RABBITMQ_AMQP_PORT=${RABBITMQ_AMQP_PORT:-5679}
RABBITMQ_MANAGEMENT_PORT=${RABBITMQ_MANAGEMENT_PORT:-15679}
RABBITMQ_DIST_PORT_NUMBER=${RABBITMQ_DIST_PORT_NUMBER:-25679}
# A private epmd, so that stopping it never touches another broker's epmd
# on the default port 4369.
RABBITMQ_EPMD_PORT=${RABBITMQ_EPMD_PORT:-24369}
RSPAMD_NORMAL_PORT=${RSPAMD_NORMAL_PORT:-11433}
RSPAMD_CONTROLLER_PORT=${RSPAMD_CONTROLLER_PORT:-11434}
RSPAMD_PROXY_PORT=${RSPAMD_PROXY_PORT:-11432}
# Rspamd's DNS resolver points here. Nothing listens on this UDP port, so
# every lookup fails at once instead of leaving the machine.
RSPAMD_DNS_PORT=${RSPAMD_DNS_PORT:-11453}

RABBITMQ_DIR="$STATE/rabbitmq"
RABBITMQ_ENV_FILE="$RABBITMQ_DIR/rabbitmq-env.sh"
RABBITMQ_START_PID_FILE="$RABBITMQ_DIR/start-script.pid"
RABBITMQ_EPMD_PID_FILE="$RABBITMQ_DIR/epmd.pid"
RABBITMQ_START_LOG="$RABBITMQ_DIR/log/start-script.log"
RABBITMQ_BIN_DIR=/usr/lib/rabbitmq/bin

RSPAMD_DIR="$STATE/rspamd"
RSPAMD_PID_FILE="$RSPAMD_DIR/rspamd-main.pid"
RSPAMD_START_LOG="$RSPAMD_DIR/log/stdout.log"

log() {
    printf 'test-env: %s\n' "$*" >&2
}

# Print an error, then the last lines of each log file given, and exit 1.
fail() {
    local message="$1"
    shift
    printf 'test-env: FAILED: %s\n' "$message" >&2
    local log_file
    for log_file in "$@"; do
        if [[ -s "$log_file" ]]; then
            printf -- '--- last lines of %s ---\n' "$log_file" >&2
            tail -n 40 "$log_file" >&2
            printf -- '--- end of %s ---\n' "$log_file" >&2
        else
            printf 'test-env: log %s is missing or empty\n' "$log_file" >&2
        fi
    done
    exit 1
}

# Succeed when PID names a live process. A zombie counts as exited: its
# parent may be gone, and PID 1 on some machines never reaps it.
pid_alive() {
    [[ "$1" =~ ^[0-9]+$ ]] || return 1
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n "$stat" ]] || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != "Z" ]]
}

# Print the start time of PID in clock ticks since boot (field 22 of
# /proc/PID/stat), or nothing when it has exited.
process_start_time() {
    local stat fields
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
    # The command name in field 2 may contain spaces, so cut after its ")".
    read -r -a fields <<<"${stat##*) }"
    printf '%s\n' "${fields[19]:-}"
}

# Write PID and its start time to FILE, so that read_pid_file can tell the
# process from a later one that reuses the PID.
write_pid_file() {
    printf '%s %s\n' "$1" "$(process_start_time "$1")" >"$2"
}

# Print the PID stored in FILE, or nothing when the file is missing, contains
# no number, or records a start time that the live process does not have.
read_pid_file() {
    local pid="" start=""
    if [[ -f "$1" ]]; then
        read -r pid start <"$1" || true
    fi
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    if [[ -n "$start" && "$(process_start_time "$pid")" != "$start" ]]; then
        return 0
    fi
    printf '%s\n' "$pid"
}

# Print the command name (comm) of PID, or nothing when it has exited.
process_name() {
    cat "/proc/$1/comm" 2>/dev/null || true
}

# Succeed when the environment PID started with contains the exact entry
# NAME=VALUE. Reading another user's environment needs root.
process_has_env_entry() {
    local pid="$1" entry="$2"
    grep -qszxF -- "$entry" "/proc/$pid/environ"
}

# Print the PIDs of all processes, except this shell, whose environment
# contains the exact entry NAME=VALUE.
pids_with_env_entry() {
    local entry="$1" environ pid
    for environ in /proc/[0-9]*/environ; do
        pid="${environ#/proc/}"
        pid="${pid%/environ}"
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        process_has_env_entry "$pid" "$entry" && printf '%s\n' "$pid"
    done
    return 0
}

# Print the PIDs of the direct children of PID.
child_pids() {
    local parent="$1" stat pid rest ppid
    for stat in /proc/[0-9]*/stat; do
        rest="$(cat "$stat" 2>/dev/null)" || continue
        [[ -n "$rest" ]] || continue
        pid="${rest%% *}"
        read -r _ ppid _ <<<"${rest##*) }"
        [[ "$ppid" == "$parent" ]] && printf '%s\n' "$pid"
    done
    return 0
}

# Wait until none of the given PIDs is alive, for at most TIMEOUT seconds.
# Succeed when they all exited.
wait_for_exit() {
    local timeout="$1"
    shift
    local deadline=$((SECONDS + timeout)) pid alive
    while :; do
        alive=0
        for pid in "$@"; do
            pid_alive "$pid" && alive=1
        done
        ((alive == 0)) && return 0
        ((SECONDS >= deadline)) && return 1
        sleep 0.2
    done
}

# Send SIGTERM to the given PIDs, wait up to TIMEOUT seconds, then send
# SIGKILL to those still alive.
terminate_pids() {
    local timeout="$1"
    shift
    (($# > 0)) || return 0
    kill -TERM "$@" 2>/dev/null || true
    if ! wait_for_exit "$timeout" "$@"; then
        log "processes $* did not exit ${timeout} s after SIGTERM; sending SIGKILL"
        kill -KILL "$@" 2>/dev/null || true
        wait_for_exit 10 "$@" || log "processes $* are still alive after SIGKILL"
    fi
}

# Succeed when something accepts TCP connections on 127.0.0.1:PORT.
tcp_port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Fail unless 127.0.0.1:PORT is free for a server of ours named NAME.
require_free_port() {
    if tcp_port_open "$1"; then
        fail "port 127.0.0.1:$1 for $2 is already in use by a process this test environment did not start; stop that process, or run scripts/test-env/down.sh with RELAYGUARD_TEST_ENV_DIR set to the state folder that started it"
    fi
}
