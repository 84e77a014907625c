#!/usr/bin/env bash
# Run every test of Platform.sln against real servers and print the result
# as a last line "N passed, M failed" (", K skipped" when some were skipped).
#
# Starts the test environment with scripts/test-env/up.sh and always stops
# it with scripts/test-env/down.sh. Extra arguments go to `dotnet test`, for
# example: scripts/test.sh --filter "FullyQualifiedName~Gateway".
# Exits non-zero when the environment does not start, the build fails, a test
# fails or no test runs.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO" || exit 1

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
# up.sh, down.sh and this script must agree on the state folder.
RELAYGUARD_TEST_ENV_DIR="$(realpath -m -- "${RELAYGUARD_TEST_ENV_DIR:-$REPO/.test-env}")"
export RELAYGUARD_TEST_ENV_DIR
RESULTS_DIR="$RELAYGUARD_TEST_ENV_DIR/results"

report() {
    printf 'test.sh: %s\n' "$*" >&2
}

environment_up=0
stop_environment() {
    ((environment_up == 1)) || return 0
    environment_up=0
    bash scripts/test-env/down.sh || report "down.sh failed; some test servers may still be running"
}
trap stop_environment EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Print "PASSED FAILED SKIPPED" summed over the ResultSummary counters of
# every TRX file in RESULTS_DIR. Errors, timeouts and aborted tests count as
# failed. The TRX logger counts a skipped test in "total" but not in
# "executed" (its "notExecuted" stays 0), so skipped is the difference.
count_trx_results() {
    local trx_files=("$RESULTS_DIR"/*.trx)
    if [[ ! -e "${trx_files[0]}" ]]; then
        echo "0 0 0"
        return 0
    fi
    grep -ho '<Counters [^>]*>' "${trx_files[@]}" | awk '
        {
            for (i = 2; i <= NF; i++) {
                split($i, pair, "=")
                gsub(/[^0-9]/, "", pair[2])
                count[pair[1]] += pair[2]
            }
        }
        END {
            failed = count["failed"] + count["error"] + count["timeout"] + count["aborted"]
            skipped = count["total"] - count["executed"]
            printf "%d %d %d\n", count["passed"], failed, (skipped > 0 ? skipped : 0)
        }'
}

command -v dotnet >/dev/null || {
    report "FAILED: dotnet not found on PATH; install the .NET 10 SDK"
    exit 1
}

environment_up=1
if ! bash scripts/test-env/up.sh; then
    report "FAILED: the test environment did not start (see the messages above)"
    exit 1
fi
source "$RELAYGUARD_TEST_ENV_DIR/env.sh"

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

# dotnet test builds only the test projects and what they reference. The bench
# smoke tests also run the benchmark and load-client programs, so the whole
# solution is built first.
if ! dotnet build Platform.sln -c Release; then
    report "FAILED: the solution does not build"
    exit 1
fi

dotnet test Platform.sln -c Release --no-build \
    --logger "trx;LogFilePrefix=relayguard" \
    --results-directory "$RESULTS_DIR" \
    "$@"
dotnet_status=$?

dotnet build-server shutdown >/dev/null 2>&1 || report "dotnet build-server shutdown failed"
# Stopped here rather than by the EXIT trap, so that the count stays the
# last line of the output.
stop_environment

read -r passed failed skipped < <(count_trx_results)
summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"

exit_status=0
if ((failed > 0)); then
    report "FAILED: $failed test(s) failed (dotnet test exited with $dotnet_status); TRX files are in $RESULTS_DIR"
    exit_status=1
elif ((dotnet_status != 0)); then
    report "FAILED: dotnet test exited with $dotnet_status although no test failed: a project did not build or a test host crashed (see the output above)"
    exit_status=1
fi
if ((passed + failed == 0)); then
    report "FAILED: no test ran; check the solution's test projects and any --filter"
    exit_status=1
fi
echo "$summary"
exit "$exit_status"
