#!/usr/bin/env bash
# Stop every server of the test environment: the smtp-sink, smtp-source and
# Postfix processes that tests started, Rspamd and RabbitMQ with its epmd.
#
# Idempotent, and it only stops processes of this state folder
# (RELAYGUARD_TEST_ENV_DIR, default: .test-env in the repository). The data
# and logs stay in the folder for the next run and for inspection.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Succeed when PID is a Postfix or smtp-sink/smtp-source process that a test
# started for this state folder. Tests inherit RELAYGUARD_TEST_ENV_DIR from
# env.sh. Postfix processes have their config folder in MAIL_CONFIG and run
# in their queue folder, and both are usually inside the state folder.
is_test_mail_process() {
    local pid="$1" executable cwd
    executable="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
    case "$executable" in
        /usr/sbin/smtp-sink | /usr/sbin/smtp-source | /usr/lib/postfix/sbin/*) ;;
        *) return 1 ;;
    esac

    process_has_env_entry "$pid" "RELAYGUARD_TEST_ENV_DIR=$STATE" && return 0
    grep -qszF -- "MAIL_CONFIG=$STATE/" "/proc/$pid/environ" && return 0
    grep -qszF -- "$STATE/" "/proc/$pid/cmdline" && return 0
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 1
    [[ "$cwd" == "$STATE" || "$cwd" == "$STATE/"* ]]
}

stop_test_mail_processes() {
    local stat pid mail_pids=()
    for stat in /proc/[0-9]*/stat; do
        pid="${stat#/proc/}"
        pid="${pid%/stat}"
        is_test_mail_process "$pid" && mail_pids+=("$pid")
    done
    if ((${#mail_pids[@]} > 0)); then
        log "stopping smtp-sink, smtp-source and Postfix processes: ${mail_pids[*]}"
        # A Postfix master stops its own children on SIGTERM.
        terminate_pids 15 "${mail_pids[@]}"
    fi
}

main() {
    if [[ ! -d "$STATE" ]]; then
        log "nothing to stop: $STATE does not exist"
        return 0
    fi
    # The scripts below run with fd 9 closed, because a server that inherited
    # it would hold the lock for as long as it runs.
    exec 9>"$STATE/.lock"
    flock -w 600 9 || fail "another up.sh or down.sh has held $STATE/.lock for 10 minutes"

    local status=0
    stop_test_mail_processes || status=1
    bash "$TEST_ENV_SCRIPTS/rspamd.sh" stop 9>&- || status=1
    bash "$TEST_ENV_SCRIPTS/rabbitmq.sh" stop 9>&- || status=1
    rm -f "$STATE/env.sh"

    if ((status != 0)); then
        log "FAILED: some servers may still be running; see the messages above"
        return 1
    fi
    log "test environment is down"
}

main "$@"
