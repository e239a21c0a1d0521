#!/usr/bin/env bash
# Instructions per request of every benchmark scenario, by callgrind.
#
#   bash benches/callgrind.sh
#
# Builds the `icount` harness in release mode, runs each scenario under
# `valgrind --tool=callgrind` at two request counts N1 < N2, and reports
# (instructions(N2) - instructions(N1)) / (N2 - N1): the difference cancels
# the set-up (runtime, router, log-in). Prints a markdown table and the
# ratios the benchmark targets are about.
#
# Environment: N1 (default 1000), N2 (default 3000); KEEP=DIR keeps the
# callgrind output files in DIR (for callgrind_annotate); ICOUNT=PATH counts
# another build of the harness instead of building this tree's (a before/after
# comparison: build the other commit's `icount`, copy it out, point ICOUNT at
# it); WITH_CRITERION=1
# adds the criterion medians of the last `cargo bench` beside the counts:
#
#   cargo bench -p require-login-benches && WITH_CRITERION=1 bash benches/callgrind.sh
set -euo pipefail

cd "$(dirname "$0")/.."
N1=${N1:-1000}
N2=${N2:-3000}

command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }

target_dir=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
if [ -n "${ICOUNT:-}" ]; then
    bin=$ICOUNT
else
    cargo build --release --quiet -p require-login-benches --bin icount
    bin="$target_dir/release/icount"
fi

if [ -n "${KEEP:-}" ]; then
    out=$KEEP
    mkdir -p "$out"
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi

# Total instructions of one run of a scenario at N requests.
instructions() {
    local file="$out/callgrind.$1.$2.out"
    valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" "$1" "$2" >/dev/null 2>"$file.log" || {
        cat "$file.log" >&2
        exit 1
    }
    awk '/^(summary|totals):/ { print $2; exit }' "$file"
}

# The median of a criterion benchmark's last run, in ns, or nothing.
median() {
    local file="$target_dir/criterion/$1/new/estimates.json"
    [ -f "$file" ] || return 0
    sed -n 's/.*"median":{"confidence_interval":{[^}]*},"point_estimate":\([0-9.eE+-]*\).*/\1/p' "$file"
}

declare -A per_request
declare -A median_ns
if [ -n "${WITH_CRITERION:-}" ]; then
    echo "| scenario | what | instructions/request | criterion median |"
    echo "|---|---|---:|---:|"
else
    echo "| scenario | what | instructions/request |"
    echo "|---|---|---:|"
fi
while IFS=$'\t' read -r name what; do
    i1=$(instructions "$name" "$N1")
    i2=$(instructions "$name" "$N2")
    per_request[$name]=$(awk -v a="$i1" -v b="$i2" -v n1="$N1" -v n2="$N2" 'BEGIN { printf "%.0f", (b - a) / (n2 - n1) }')
    if [ -n "${WITH_CRITERION:-}" ]; then
        median_ns[$name]=$(median "request/$name")
        printf '| %s | %s | %s | %s |\n' "$name" "$what" "${per_request[$name]}" \
            "$(awk -v m="${median_ns[$name]:-}" 'BEGIN { if (m == "") print "n/a"; else printf "%.2f µs", m / 1000 }')"
    else
        printf '| %s | %s | %s |\n' "$name" "$what" "${per_request[$name]}"
    fi
done < <("$bin" --list)

# ratio NUM DEN LIMIT LABEL: one table row, with whether NUM/DEN <= LIMIT
# in instructions (and the same ratio of criterion medians, for reference).
ratio() {
    local num=${per_request[$1]:-} den=${per_request[$2]:-}
    if [ -z "$num" ] || [ -z "$den" ]; then
        printf '| %s | n/a | | %s | not measured |\n' "$4" "$3"
        return
    fi
    awk -v n="$num" -v d="$den" -v mn="${median_ns[$1]:-}" -v md="${median_ns[$2]:-}" \
        -v lim="$3" -v label="$4" -v kind="${5:-target}" 'BEGIN {
        r = n / d
        t = (mn != "" && md != "") ? sprintf("%.3f", mn / md) : "n/a"
        if (lim == "-") printf "| %s | %.3f | %s | (none) | |\n", label, r, t
        else if (kind == "compare") printf "| %s | %.3f | %s | (no target; compared with %s) | %s |\n", label, r, t, lim, (r <= lim ? "at most" : "above")
        else printf "| %s | %.3f | %s | <= %s | %s |\n", label, r, t, lim, (r <= lim ? "holds" : "MISSED")
    }'
}

echo
echo "| ratio | instructions | criterion medians | target | |"
echo "|---|---:|---:|---|---|"
ratio C H 1.03 "C / H"
ratio C L 0.8 "C / L"
# Issue 20's tighter targets for the logged-in guard.
ratio C H 0.95 "C / H (issue 20)"
ratio C L 0.70 "C / L (issue 20)"
ratio D H 1 "D / H"
ratio E H 1 "E / H"
# Not the issue's targets, shown against 1 for comparison: like for like with
# the hand-written check's own denials, and with a stale session cookie (an
# id the store does not know; BENCHMARKS.md says where that cost goes).
ratio D H_nav 1 "D / H_nav" compare
ratio E H_ajax 1 "E / H_ajax" compare
ratio D_stale H 1 "D_stale / H" compare
ratio E_stale H 1 "E_stale / H" compare
ratio D_stale H_nav_stale 1 "D_stale / H_nav_stale" compare
ratio E_stale H_ajax_stale 1 "E_stale / H_ajax_stale" compare
# On an axum-login app (issue 16): the guard deciding by axum-login's
# AuthSession, against axum-login's own login_required!.
ratio G L 1.05 "G / L"
ratio G_layer L 1.05 "G_layer / L"
ratio G_nav L_nav 1 "G_nav / L_nav" compare
# Deny by default: a #[require_login] handler in a GuardedRouter is checked
# once (no second guard where the handler's own comes first).
ratio R_both R 1.02 "R_both / R"
# Where both guards run (a RequireLoginLayer group over a #[require_login]
# handler), the handler's guard reuses the layer's answer; shown against 1.02.
ratio F_both F 1.02 "F_both / F" compare
# Deadlines the server owns (issue 22): judged on every logged-in request.
ratio C_deadlines C 1.05 "C_deadlines / C (issue 22)"
# Streams that end with the session (issue 23): per event, and what the
# watch costs a request that opens no stream.
ratio S_watched S 1.02 "S_watched / S per event (issue 23)"
ratio C_watched C - "C_watched / C"
if [ -n "${per_request[F]:-}" ]; then
    ratio F H - "F / H"
fi

if [ -n "${WITH_CRITERION:-}" ]; then
    echo
    echo "| micro-benchmark | criterion median |"
    echo "|---|---:|"
    for dir in "$target_dir"/criterion/classify/*/ "$target_dir"/criterion/respond/*/ \
        "$target_dir"/criterion/enforce/*/; do
        [ -f "$dir/new/estimates.json" ] || continue
        id=${dir%/}
        id=${id#"$target_dir"/criterion/}
        printf '| %s | %s |\n' "$id" "$(awk -v m="$(median "$id")" 'BEGIN { printf "%.1f ns", m }')"
    done
fi
echo
echo "N1=$N1, N2=$N2; instructions/request = (I(N2) - I(N1)) / (N2 - N1), release build, $(valgrind --version)"
