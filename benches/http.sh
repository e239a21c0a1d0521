#!/usr/bin/env bash
# Throughput over real HTTP: each variant's server on loopback (one server
# thread), driven by wrk, rounds interleaved, the median reported.
#
#   bash benches/http.sh
#
# Builds `httpserve` (benches/src/bin/httpserve.rs) in release mode and
# starts one server per variant, each on its own loopback port, all set up
# the way `icount` sets up that scenario (the same router, logged in, the
# same request headers). Then, ROUNDS times, runs wrk against each variant
# in turn (C, H, L, C, H, L, ...), so that a change in the machine's load
# falls on every variant alike. Prints each round's requests/s, the median
# per variant, and the ratios of the medians. Every answer must be a 2xx:
# a round with any other answer stops the script.
#
# Environment: VARIANTS (default "C H L"; any `icount --list` scenario that
# answers 200; LABEL=SCENARIO@BINARY serves SCENARIO from another build of
# httpserve, e.g. "C H C_before=C@/tmp/before/httpserve"), ROUNDS (default 7), DURATION (wrk -d, default 5s),
# CONNECTIONS (wrk -c, default 8), PORT (the first port, default 38471).
# wrk runs one thread (-t1); the server runs one (Tokio's current-thread
# runtime), so on a 2-core machine each has a core when nothing else runs.
set -euo pipefail

cd "$(dirname "$0")/.."
VARIANTS=${VARIANTS:-"C H L"}
ROUNDS=${ROUNDS:-7}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-8}
PORT=${PORT:-38471}

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet -p require-login-benches --bin httpserve
target_dir=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="$target_dir/release/httpserve"

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

declare -A url headers pid
labels=()
port=$PORT
for v in $VARIANTS; do
    server=$bin scenario=$v
    if [[ $v == *=*@* ]]; then
        scenario=${v#*=} v=${v%%=*}
        server=${scenario#*@} scenario=${scenario%%@*}
    fi
    labels+=("$v")
    "$server" "$scenario" "$port" >"$work/$v.out" 2>"$work/$v.err" &
    pids+=("$!")
    pid[$v]=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$work/$v.out" 2>/dev/null && break
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/$v.err" >&2; exit 1; }
        sleep 0.1
    done
    grep -q '^listening on ' "$work/$v.out" || { echo "$v: server did not start" >&2; cat "$work/$v.err" >&2; exit 1; }
    headers[$v]=$(sed -n 1p "$work/$v.out")
    url[$v]=$(sed -n 's/^listening on //p' "$work/$v.out")
    port=$((port + 1))
done

# The server's CPU time so far (user + system), in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

echo "requests/s (and the server's CPU time per request, µs), per round:"
echo
echo "| round | $(IFS='|'; echo "${labels[*]}" | sed 's/|/ | /g') |"
echo "|---|$(for _ in "${labels[@]}"; do printf -- '---:|'; done)"
for round in $(seq "$ROUNDS"); do
    row="| $round |"
    for v in "${labels[@]}"; do
        t0=$(ticks "${pid[$v]}")
        out=$(eval "wrk -t1 -c$CONNECTIONS -d$DURATION ${headers[$v]} '${url[$v]}'")
        if grep -q 'Non-2xx or 3xx responses' <<<"$out" || grep -q 'Socket errors' <<<"$out"; then
            echo "$v: not every answer was a 2xx, or sockets failed:" >&2
            echo "$out" >&2
            exit 1
        fi
        t1=$(ticks "${pid[$v]}")
        rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
        cpu=$(awk -v t="$((t1 - t0))" -v hz="$hz" '/ requests in / { printf "%.2f", t / hz * 1e6 / $1 }' <<<"$out")
        echo "$rps" >>"$work/$v.rps"
        echo "$cpu" >>"$work/$v.cpu"
        row="$row $rps ($cpu) |"
    done
    echo "$row"
done

median() { sort -g "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A med medcpu
row="| median |"
for v in "${labels[@]}"; do
    med[$v]=$(median "$work/$v.rps")
    medcpu[$v]=$(median "$work/$v.cpu")
    row="$row ${med[$v]} (${medcpu[$v]}) |"
done
echo "$row"

echo
echo "| ratio of medians | requests/s | server CPU µs/request |"
echo "|---|---:|---:|"
for pair in "C H" "C L" "C B" "H B" "C_before H" "C_before L" "C C_before"; do
    set -- $pair
    [ -n "${med[$1]:-}" ] && [ -n "${med[$2]:-}" ] || continue
    awk -v a="${med[$1]}" -v b="${med[$2]}" -v ca="${medcpu[$1]}" -v cb="${medcpu[$2]}" -v l="$1 / $2" \
        'BEGIN { printf "| %s | %.3f | %.3f |\n", l, a / b, (cb > 0 ? ca / cb : 0) }'
done
echo
echo "wrk -t1 -c$CONNECTIONS -d$DURATION, $ROUNDS rounds interleaved, one server thread each; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
