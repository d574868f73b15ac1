# Sourced by the guest scripts (guest-validation.sh, guest-bandwidth.sh), which define
# `result KEY VALUE` and `fail MESSAGE`.
#
# perftest TEST SIZE ITERATIONS: perftest's TEST (ib_write_bw, ib_read_bw) on rxe0 in this
# guest, the server started first and the client run against 127.0.0.1 (its out-of-band
# exchange is TCP port 18515; GID index 0 is dummy0's link-local address, RoCE v2). TCG makes
# perftest's cycle-counter calibration noisy under load: when it gives up ("Correlation
# coefficient r^2 < 0.9") the figure is 0.00, so it tries up to three times. Sets $figure to
# the BW average (perftest's "MB/sec", which are MiB/s: `ib_write_bw --help`), empty on failure,
# and prints `TEST: FIGURE MB/s` and a `result TEST FIGURE` line.
perftest() {
    local test="$1" size="$2" iterations="$3"
    local flags=(-d rxe0 -i 1 -x 0 -F -s "$size" -n "$iterations")
    local attempt output
    figure=""
    for attempt in 1 2 3; do
        "$test" "${flags[@]}" >/tmp/perftest-server.log 2>&1 &
        local server=$!
        for _ in $(seq 100); do
            ss -Hltn "sport = :18515" | grep -q . && break
            sleep 0.1
        done
        output="$("$test" "${flags[@]}" 127.0.0.1 2>&1)"
        wait $server
        echo "$output" | sed -n '/#bytes/,$p'
        figure="$(awk -v size="$size" '$1 == size && NF >= 5 { print $4 }' <<<"$output" | tail -1)"
        if [ -n "$figure" ] && awk -v a="$figure" 'BEGIN { exit !(a > 0) }'; then
            echo "$test: $figure MB/s (attempt $attempt)"
            result "$test" "$figure"
            return 0
        fi
        echo "$test: no figure on attempt $attempt"
    done
    figure=""
    fail "$test gave no bandwidth figure"
}
