#!/usr/bin/env bash
# Start, stop or wait for the test run's private, network-free Rspamd.
#
#   rspamd.sh start   configure and start Rspamd (no-op if running)
#   rspamd.sh wait    wait until GET /ping returns 200 (120 s at most)
#   rspamd.sh stop    stop Rspamd and its workers (no-op if stopped)
#
# The stock configuration downloads maps, queries fuzzy hash servers and
# DNS blocklists. This one points DNS at a loopback port where nothing
# listens and disables every module that uses the network or Redis, so a
# scan never leaves the machine. The state folder is RELAYGUARD_TEST_ENV_DIR
# (default: .test-env in the repository).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RSPAMD_CONF_DIR="$RSPAMD_DIR/conf"
RSPAMD_LOG="$RSPAMD_DIR/log/rspamd.log"
RSPAMD_USER=_rspamd
WAIT_TIMEOUT_SECONDS=120

# Modules that contact other hosts or need Redis (Rspamd 3.4 as shipped by
# Debian 12).
NETWORK_MODULES=(
    rbl fuzzy_check phishing multimap whitelist mime_types mid asn spf dkim
    dmarc arc hfilter emails url_redirector ratelimit greylist reputation
    neural replies history_redis dcc external_services antivirus bimi
    maillist mx_check rspamd_update
)

configure() {
    rm -rf "$RSPAMD_CONF_DIR"
    mkdir -p "$RSPAMD_CONF_DIR/local.d" "$RSPAMD_CONF_DIR/override.d" \
        "$RSPAMD_DIR/db" "$RSPAMD_DIR/run" "$RSPAMD_DIR/log"

    cat >"$RSPAMD_CONF_DIR/local.d/options.inc" <<EOF
dns {
  nameserver = ["127.0.0.1:$RSPAMD_DNS_PORT"];
}
EOF
    cat >"$RSPAMD_CONF_DIR/local.d/logging.inc" <<'EOF'
type = "file";
filename = "$LOGDIR/rspamd.log";
level = "info";
EOF
    local module
    for module in "${NETWORK_MODULES[@]}"; do
        echo 'enabled = false;' >"$RSPAMD_CONF_DIR/local.d/$module.conf"
    done

    # override.d replaces the stock bind_socket ("localhost:113xx"), which
    # would also bind ::1.
    echo "bind_socket = \"127.0.0.1:$RSPAMD_NORMAL_PORT\";" \
        >"$RSPAMD_CONF_DIR/override.d/worker-normal.inc"
    echo "bind_socket = \"127.0.0.1:$RSPAMD_CONTROLLER_PORT\";" \
        >"$RSPAMD_CONF_DIR/override.d/worker-controller.inc"
    echo "bind_socket = \"127.0.0.1:$RSPAMD_PROXY_PORT\";" \
        >"$RSPAMD_CONF_DIR/override.d/worker-proxy.inc"

    if ((EUID == 0)); then
        chown -R "$RSPAMD_USER:$RSPAMD_USER" "$RSPAMD_DIR/db" "$RSPAMD_DIR/run" "$RSPAMD_DIR/log"
    fi
}

# Print the options that select the user Rspamd runs as. As root it drops
# to _rspamd, which must then reach the state folder through every parent
# folder. A checkout under /root (mode 700) does not allow that, so Rspamd
# then keeps root, which -i (--insecure) permits; it still listens on
# 127.0.0.1 only.
user_options() {
    ((EUID == 0)) || return 0
    if runuser -u "$RSPAMD_USER" -- test -r "$RSPAMD_CONF_DIR/local.d/options.inc" -a -w "$RSPAMD_DIR/db"; then
        printf '%s\n' -u "$RSPAMD_USER" -g "$RSPAMD_USER"
    else
        log "user $RSPAMD_USER cannot reach $RSPAMD_DIR, so Rspamd runs as root (-i); give other users search (x) permission on its parent folders to avoid that"
        printf '%s\n' -i
    fi
}

# Print the PID of our running Rspamd main process, or nothing. Rspamd
# overwrites its command line and environment with a process title, so the
# PID file with its start time is what identifies the process.
running_main_pid() {
    local pid
    pid="$(read_pid_file "$RSPAMD_PID_FILE")"
    if [[ -n "$pid" ]] && pid_alive "$pid" && [[ "$(process_name "$pid")" == rspamd ]]; then
        printf '%s\n' "$pid"
    fi
    return 0
}

start_rspamd() {
    command -v rspamd >/dev/null ||
        fail "rspamd not found; run scripts/test-env/up.sh to install it"

    local pid
    pid="$(running_main_pid)"
    if [[ -n "$pid" ]]; then
        log "Rspamd is already running (PID $pid)"
        return 0
    fi

    require_free_port "$RSPAMD_NORMAL_PORT" "Rspamd normal worker"
    require_free_port "$RSPAMD_CONTROLLER_PORT" "Rspamd controller"
    require_free_port "$RSPAMD_PROXY_PORT" "Rspamd proxy"
    configure

    local run_as_options
    mapfile -t run_as_options < <(user_options)
    log "starting Rspamd on 127.0.0.1:$RSPAMD_NORMAL_PORT (log: $RSPAMD_DIR/log)"
    # -f keeps the main process in the foreground, so $! is its PID.
    setsid rspamd -f "${run_as_options[@]}" -c /etc/rspamd/rspamd.conf \
        "--var=LOCAL_CONFDIR=$RSPAMD_CONF_DIR" \
        "--var=DBDIR=$RSPAMD_DIR/db" \
        "--var=RUNDIR=$RSPAMD_DIR/run" \
        "--var=LOGDIR=$RSPAMD_DIR/log" \
        </dev/null >>"$RSPAMD_START_LOG" 2>&1 &
    write_pid_file "$!" "$RSPAMD_PID_FILE"
}

# Wait until GET /ping on the normal worker returns 200, failing early if
# the main process exits.
wait_for_rspamd() {
    local pid
    pid="$(read_pid_file "$RSPAMD_PID_FILE")"
    [[ -n "$pid" ]] || fail "Rspamd is not running; run rspamd.sh start first"
    local deadline=$((SECONDS + WAIT_TIMEOUT_SECONDS)) status
    while :; do
        pid_alive "$pid" ||
            fail "Rspamd exited while starting" "$RSPAMD_START_LOG" "$RSPAMD_LOG"
        status="$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 2 \
            "http://127.0.0.1:$RSPAMD_NORMAL_PORT/ping" || true)"
        [[ "$status" == "200" ]] && break
        ((SECONDS < deadline)) ||
            fail "Rspamd did not answer GET /ping with 200 within $WAIT_TIMEOUT_SECONDS s (last status: ${status:-none})" \
                "$RSPAMD_START_LOG" "$RSPAMD_LOG"
        sleep 0.2
    done
    log "Rspamd is ready on 127.0.0.1:$RSPAMD_NORMAL_PORT"
}

stop_rspamd() {
    local pid
    pid="$(running_main_pid)"
    if [[ -n "$pid" ]]; then
        log "stopping Rspamd (PID $pid)"
        # The main process stops its workers on SIGTERM. Collect them first
        # in case it has to be killed and leaves them behind.
        local workers
        mapfile -t workers < <(child_pids "$pid")
        terminate_pids 30 "$pid"
        if ((${#workers[@]} > 0)); then
            local worker alive_workers=()
            for worker in "${workers[@]}"; do
                [[ "$(process_name "$worker")" == rspamd ]] && pid_alive "$worker" &&
                    alive_workers+=("$worker")
            done
            ((${#alive_workers[@]} == 0)) || terminate_pids 10 "${alive_workers[@]}"
        fi
    fi
    rm -f "$RSPAMD_PID_FILE"
}

case "${1:-}" in
    start)
        start_rspamd
        ;;
    wait)
        wait_for_rspamd
        ;;
    stop)
        stop_rspamd
        ;;
    *)
        printf 'usage: %s start|wait|stop\n' "$0" >&2
        exit 2
        ;;
esac
