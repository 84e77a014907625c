#!/usr/bin/env bash
# Install and start the servers the tests need, private to this run and
# listening on 127.0.0.1 only, then write $STATE/env.sh for the tests.
#
# Idempotent: packages already installed are not fetched again and servers
# already running are kept. Installing needs root; starting does not.
# The state folder is RELAYGUARD_TEST_ENV_DIR (default: .test-env in the
# repository). Stop everything with scripts/test-env/down.sh.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# swaks needs Net::SSLeay for --tls. Recommends are skipped because rspamd
# would pull in redis-server, which the tests do not use. docker-compose is
# only asked to validate docker-compose.yml: no Docker engine is needed.
PACKAGES=(rabbitmq-server rspamd postfix swaks libnet-ssleay-perl dovecot-core chromium docker-compose)
APT_LOG="$STATE/apt.log"
ENV_FILE="$STATE/env.sh"
MANAGEMENT_TIMEOUT_SECONDS=60
# The standard GTUBE string, which Rspamd scores with action "reject".
GTUBE='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'

missing_packages() {
    local package
    for package in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -qx 'install ok installed'; then
            printf '%s\n' "$package"
        fi
    done
}

# Install the missing packages with apt, without starting their daemons.
install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} == 0)); then
        log "packages already installed: ${PACKAGES[*]}"
        return 0
    fi
    ((EUID == 0)) || fail "packages not installed: ${missing[*]}; run this script as root to install them"

    log "installing ${missing[*]} (log: $APT_LOG)"
    # Without this preseeded value the postfix package prompts for a mail
    # configuration and writes a main.cf for a system mailer.
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections

    # Package scripts must not start the stock daemons: dovecot would listen
    # on all addresses and the stock Rspamd would contact other hosts. Debian
    # skips the start when /usr/sbin/policy-rc.d exits with 101.
    local policy=/usr/sbin/policy-rc.d
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# Added by relayguard scripts/test-env/up.sh during apt-get install.\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi

    local apt_options=(-y -q -o DPkg::Lock::Timeout=300
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >>"$APT_LOG" 2>&1 ||
        fail "apt-get update failed" "$APT_LOG"
    DEBIAN_FRONTEND=noninteractive apt-get install "${apt_options[@]}" --no-install-recommends \
        "${missing[@]}" </dev/null >>"$APT_LOG" 2>&1 ||
        fail "apt-get install ${missing[*]} failed" "$APT_LOG"

    if [[ "$(trap -p EXIT)" == *policy-rc.d* ]]; then
        rm -f "$policy"
        trap - EXIT
    fi
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) || fail "apt-get install finished but these packages are not installed: ${missing[*]}" "$APT_LOG"
}

require_tools() {
    local tool
    for tool in /usr/sbin/smtp-sink /usr/sbin/smtp-source /usr/sbin/postfix /usr/bin/swaks \
        /usr/bin/rspamd "$RABBITMQ_BIN_DIR/rabbitmq-server" "$RABBITMQ_BIN_DIR/rabbitmqctl"; do
        [[ -x "$tool" ]] || fail "$tool is missing or not executable after the package install" "$APT_LOG"
    done
    command -v curl >/dev/null || fail "curl is missing; install the curl package"
}

# Wait until the management API returns 200 to an authenticated request.
wait_for_management_api() {
    local url="http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/api/overview"
    local deadline=$((SECONDS + MANAGEMENT_TIMEOUT_SECONDS)) status
    while :; do
        status="$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 5 \
            -u guest:guest "$url" || true)"
        [[ "$status" == "200" ]] && break
        ((SECONDS < deadline)) ||
            fail "RabbitMQ management API $url did not return 200 within $MANAGEMENT_TIMEOUT_SECONDS s (last status: ${status:-none})" \
                "$RABBITMQ_DIR/log/relayguard-test@localhost.log"
        sleep 0.2
    done
    log "RabbitMQ management API is ready on 127.0.0.1:$RABBITMQ_MANAGEMENT_PORT"
}

# Post a GTUBE message to Rspamd and fail unless the action is "reject".
check_rspamd_rejects_gtube() {
    local message="$RSPAMD_DIR/gtube.eml"
    printf '%s\r\n' \
        'From: sender@example.org' \
        'To: recipient@example.org' \
        'Subject: GTUBE check of the test environment' \
        'Message-ID: <gtube-check@relayguard.test>' \
        '' \
        "$GTUBE" >"$message"

    local response action
    response="$(curl --noproxy '*' -sS --max-time 30 --data-binary "@$message" \
        "http://127.0.0.1:$RSPAMD_NORMAL_PORT/checkv2" 2>&1)" ||
        fail "POST /checkv2 to Rspamd failed: $response" "$RSPAMD_DIR/log/rspamd.log"
    action="$(printf '%s' "$response" | grep -o '"action" *: *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' || true)"
    [[ "$action" == "reject" ]] ||
        fail "Rspamd returned action '${action:-none}' for a GTUBE message, expected 'reject'; response: $response" \
            "$RSPAMD_DIR/log/rspamd.log"
    log "Rspamd returns action reject for GTUBE"
}

write_env_file() {
    local temporary="$ENV_FILE.tmp"
    {
        printf '# Test environment of %s; generated by scripts/test-env/up.sh.\n' "$REPO"
        printf 'export RELAYGUARD_TEST_ENV_DIR=%q\n' "$STATE"
        printf 'export RELAYGUARD_TEST_RABBITMQ_URI=%q\n' "amqp://guest:guest@127.0.0.1:$RABBITMQ_AMQP_PORT/"
        printf 'export RELAYGUARD_TEST_RABBITMQ_MANAGEMENT=%q\n' "http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT"
        printf '# "bash $RELAYGUARD_TEST_RABBITMQ_SCRIPT stop|start|wait" stops or restarts the broker.\n'
        printf 'export RELAYGUARD_TEST_RABBITMQ_SCRIPT=%q\n' "$TEST_ENV_SCRIPTS/rabbitmq.sh"
        printf '# The broker'"'"'s own variables (HOME, RABBITMQ_*); source only in a subshell.\n'
        printf 'export RELAYGUARD_TEST_RABBITMQ_ENV=%q\n' "$RABBITMQ_ENV_FILE"
        printf 'export RELAYGUARD_TEST_RSPAMD_URL=%q\n' "http://127.0.0.1:$RSPAMD_NORMAL_PORT"
        printf 'export RELAYGUARD_TEST_RSPAMD_SCRIPT=%q\n' "$TEST_ENV_SCRIPTS/rspamd.sh"
        printf 'export RELAYGUARD_TEST_SMTP_SINK=/usr/sbin/smtp-sink\n'
        printf 'export RELAYGUARD_TEST_SMTP_SOURCE=/usr/sbin/smtp-source\n'
        printf 'export RELAYGUARD_TEST_POSTFIX=/usr/sbin/postfix\n'
        printf 'export RELAYGUARD_TEST_SWAKS=/usr/bin/swaks\n'
    } >"$temporary"
    mv "$temporary" "$ENV_FILE"
}

main() {
    mkdir -p "$STATE"
    # Serializes up.sh and down.sh on one state folder.
    # The scripts below run with fd 9 closed, because a server that inherited
    # it would hold the lock for as long as it runs.
    exec 9>"$STATE/.lock"
    flock -w 600 9 || fail "another up.sh or down.sh has held $STATE/.lock for 10 minutes"

    install_packages
    require_tools

    # Both servers boot in parallel, which saves several seconds.
    bash "$TEST_ENV_SCRIPTS/rabbitmq.sh" start 9>&-
    bash "$TEST_ENV_SCRIPTS/rspamd.sh" start 9>&-
    bash "$TEST_ENV_SCRIPTS/rabbitmq.sh" wait 9>&-
    wait_for_management_api
    bash "$TEST_ENV_SCRIPTS/rspamd.sh" wait 9>&-
    check_rspamd_rejects_gtube

    write_env_file
    log "test environment is up; load its variables with: source $ENV_FILE"
}

main "$@"
