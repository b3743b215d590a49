#!/usr/bin/env bash
# Run make targets in lanes: the lanes at once, the targets of a lane one after the other. Each target's output is
# kept in .build/test-logs/<target>.log and printed whole when it ends (never interleaved with another's), with its
# time; a failed target does not stop its lane, and the exit status says whether all passed.
#
#   tools/test_lanes.sh "test-integration" "test-unit lint sanity"     # two lanes
#
# Why lanes: the integration suite keeps both cores busy, while much of the rest is single-threaded or waits on pip
# and PyPI; side by side, the idle core time of one is the other's.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=.build/test-logs
mkdir -p "${logs}"
: > "${logs}/failed"

# Called in a background subshell per lane.
run_lane() {
    local target start status
    for target in $1; do
        start=${SECONDS}
        status=0
        make --no-print-directory "${target}" > "${logs}/${target}.log" 2>&1 || status=$?
        {
            flock 9
            cat "${logs}/${target}.log"
            if [[ ${status} -eq 0 ]]; then
                echo "make test: ${target} passed in $((SECONDS - start)) s"
            else
                echo "make test: ${target} FAILED (exit ${status}) in $((SECONDS - start)) s"
                echo "${target}" >> "${logs}/failed"
            fi
        } 9> "${logs}/print.lock"
    done
}

pids=()
for lane in "$@"; do
    run_lane "${lane}" &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "${pid}"
done
if [[ -s "${logs}/failed" ]]; then
    echo "make test: failed after ${SECONDS} s: $(tr '\n' ' ' < "${logs}/failed")"
    exit 1
fi
echo "make test: all suites passed in ${SECONDS} s"
