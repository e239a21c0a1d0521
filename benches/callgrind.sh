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
# callgrind output files in DIR (for callgrind_annotate).
set -euo pipefail

cd "$(dirname "$0")/.."
N1=${N1:-1000}
N2=${N2:-3000}

command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }

cargo build --release --quiet -p require-login-benches --bin icount
target_dir=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="$target_dir/release/icount"

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

declare -A per_request
echo "| scenario | what | instructions/request |"
echo "|---|---|---:|"
while IFS=$'\t' read -r name what; do
    i1=$(instructions "$name" "$N1")
    i2=$(instructions "$name" "$N2")
    per_request[$name]=$(awk -v a="$i1" -v b="$i2" -v n1="$N1" -v n2="$N2" 'BEGIN { printf "%.0f", (b - a) / (n2 - n1) }')
    printf '| %s | %s | %s |\n' "$name" "$what" "${per_request[$name]}"
done < <("$bin" --list)

# ratio NUM DEN LIMIT LABEL: one table row, with whether NUM/DEN <= LIMIT.
ratio() {
    local num=${per_request[$1]:-} den=${per_request[$2]:-}
    if [ -z "$num" ] || [ -z "$den" ]; then
        printf '| %s | n/a | %s | not measured |\n' "$4" "$3"
        return
    fi
    awk -v n="$num" -v d="$den" -v lim="$3" -v label="$4" 'BEGIN {
        r = n / d
        printf "| %s | %.3f | <= %s | %s |\n", label, r, lim, (r <= lim ? "holds" : "MISSED")
    }'
}

echo
echo "| ratio | value | target | |"
echo "|---|---:|---|---|"
ratio C H 1.03 "C / H"
ratio C L 0.8 "C / L"
ratio D H_nav 1 "D / H_nav"
ratio E H_ajax 1 "E / H_ajax"
ratio D H 1 "D / H"
ratio E H 1 "E / H"
if [ -n "${per_request[F]:-}" ]; then
    ratio F H 1.03 "F / H"
fi
echo
echo "N1=$N1, N2=$N2; instructions/request = (I(N2) - I(N1)) / (N2 - N1), release build, $(valgrind --version)"
