#!/usr/bin/env bash
# Compile time of #[require_login] against the RequireLogin extractor written
# by hand (issue 9, item 7): two generated crates of HANDLERS guarded
# handlers each (default 200) and the same router, one guarded with the
# attribute, one with the extractor.
#
#   bash benches/compile-time.sh
#
# Each crate is a library (the handlers and `app()`, the router) and a small
# binary that builds the router, as an app is. Both crates use this
# workspace's runtime crate and a copy of its Cargo.lock (the script checks
# that every version they resolve to is the workspace's), build `--offline`,
# and share one target directory, kept under target/compile-time/ so that
# their dependencies are built once, on the first run, before anything is
# timed.
#
# Timed with hyperfine (Debian package `hyperfine`), RUNS runs each (default
# 10) after one warm-up, debug profile, two ways:
#   full  the whole crate compiled again (`touch src/lib.rs`, then
#         `CARGO_INCREMENTAL=0 cargo build --lib`): all the work the handlers
#         cost the compiler, front end and code generation (a library, so no
#         link);
#   edit  the edit-compile cycle: one handler's answer changed (a new value
#         of the `EDIT` const it returns), then `cargo build --bins`,
#         incremental as debug builds are by default, the binary linked.
# Prints hyperfine's table, then the mean wall time and the mean user+sys CPU
# time of each, and the attribute/extractor ratios. CPU time is the steadier
# figure on a shared machine: other builds stretch wall time, not CPU time.
#
# Environment: HANDLERS, RUNS; DIR (default target/compile-time) where the
# crates, their target directory and hyperfine's JSON (times.json) go.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
HANDLERS=${HANDLERS:-200}
RUNS=${RUNS:-10}

command -v hyperfine >/dev/null || {
    echo "hyperfine is needed: apt-get install hyperfine" >&2
    exit 1
}

target_dir=$(cargo metadata --offline --no-deps --format-version 1 |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
work=${DIR:-$target_dir/compile-time}
mkdir -p "$work"
work=$(cd "$work" && pwd)

# write FILE: stdin into FILE, leaving FILE (and its mtime) alone when it
# already says that, so that the first build after a rerun is not a rebuild.
write() {
    local new
    new=$(cat)
    if [ ! -f "$1" ] || [ "$(cat "$1")" != "$new" ]; then
        printf '%s\n' "$new" >"$1"
    fi
}

# answer I: what handler_I returns.
answer() { if [ "$1" = 1 ]; then echo EDIT; else echo "\"$1\""; fi; }

# generate NAME: the crate NAME whose HANDLERS handlers are guarded the way
# NAME says (attribute | extractor), one function `app()` routing them all,
# and a binary building that router.
generate() {
    local name=$1 dir="$work/$1" i
    mkdir -p "$dir/src"
    write "$dir/Cargo.toml" <<EOF
[package]
name = "compile-time-$name"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
name = "handlers"

[dependencies]
require-login = { path = "$root/runtime" }
axum = { version = "0.8", default-features = false }

# A workspace of its own, outside this repository's.
[workspace]
EOF
    # The workspace's versions; cargo drops the entries this crate does not use.
    if [ ! -f "$dir/Cargo.lock" ]; then
        cp "$root/Cargo.lock" "$dir/Cargo.lock"
    fi
    {
        echo "use axum::{routing::get, Router};"
        if [ "$name" = attribute ]; then
            echo "use require_login::require_login;"
        else
            echo "use require_login::RequireLogin;"
        fi
        # What the `edit` runs change: handler_1's answer.
        echo 'pub const EDIT: &str = "1";'
        for i in $(seq 1 "$HANDLERS"); do
            if [ "$name" = attribute ]; then
                printf '#[require_login]\npub async fn handler_%d() -> &'"'"'static str {\n    %s\n}\n' "$i" "$(answer "$i")"
            else
                printf 'pub async fn handler_%d(_: RequireLogin) -> &'"'"'static str {\n    %s\n}\n' "$i" "$(answer "$i")"
            fi
        done
        echo "pub fn app() -> Router {"
        echo "    Router::new()"
        for i in $(seq 1 "$HANDLERS"); do
            printf '        .route("/%d", get(handler_%d))\n' "$i" "$i"
        done
        echo "}"
    } | write "$dir/src/lib.rs"
    write "$dir/src/main.rs" <<'EOF'
fn main() {
    let _ = std::hint::black_box(handlers::app());
}
EOF
}

generate attribute
generate extractor

export CARGO_TARGET_DIR="$work/target"
for crate in attribute extractor; do
    echo "building $crate (its dependencies too, the first time) ..." >&2
    cargo build --quiet --offline --bins --manifest-path "$work/$crate/Cargo.toml"
done

# The generated crates must build against the workspace's dependency
# versions: every name/version pair of their lock files is one of its own.
pairs() { awk '/^name = /{n=$3} /^version = /{print n, $3}' "$1" | sort -u; }
for crate in attribute extractor; do
    stray=$(comm -23 <(pairs "$work/$crate/Cargo.lock") <(pairs "$root/Cargo.lock") |
        grep -v '^"compile-time-' || true)
    if [ -n "$stray" ]; then
        echo "$crate resolved versions the workspace's Cargo.lock does not have:" >&2
        echo "$stray" >&2
        exit 1
    fi
done

args=()
for kind in full edit; do
    for crate in attribute extractor; do
        [ "$crate" = attribute ] && label="#[require_login]" || label="RequireLogin extractor"
        if [ "$kind" = full ]; then
            prepare="touch $work/$crate/src/lib.rs"
            build="CARGO_INCREMENTAL=0 cargo build --quiet --offline --lib"
        else
            # A new value each run: nanoseconds since the epoch.
            prepare="sed -i \"s/^pub const EDIT: &str = .*/pub const EDIT: \\&str = \\\"\$(date +%s%N)\\\";/\" $work/$crate/src/lib.rs"
            build="cargo build --quiet --offline --bins"
        fi
        args+=(--prepare "$prepare" --command-name "$kind: $label, $HANDLERS handlers"
            "$build --manifest-path $work/$crate/Cargo.toml")
    done
done
hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$work/times.json" "${args[@]}"

# Mean wall time and mean user+sys CPU time of each command, in the order
# above, from hyperfine's JSON (one "mean", "user", "system" per command;
# hyperfine's user/system include cargo's children, rustc and the linker).
awk -v n="$HANDLERS" -v r="$RUNS" -v load="$(uptime | sed 's/.*load average: //')" '
    /"mean":/ { gsub(/[",]/, "", $2); mean[++m] = $2 }
    /"user":/ { gsub(/[",]/, "", $2); user[++u] = $2 }
    /"system":/ { gsub(/[",]/, "", $2); sys[++s] = $2 }
    END {
        printf "\n| %d handlers, debug | wall (mean) | CPU user+sys (mean) |\n", n
        printf "|---|---:|---:|\n"
        split("full (crate compiled again; no link)|edit (one handler changed; incremental; link)", kinds, "|")
        for (k = 0; k < 2; k++) {
            a = 2 * k + 1; e = a + 1
            printf "| %s, `#[require_login]` | %.3f s | %.3f s |\n", kinds[k + 1], mean[a], user[a] + sys[a]
            printf "| %s, `RequireLogin` extractor | %.3f s | %.3f s |\n", kinds[k + 1], mean[e], user[e] + sys[e]
            printf "| %s, **ratio attribute / extractor** | **%.2f** | **%.2f** |\n", kinds[k + 1],
                mean[a] / mean[e], (user[a] + sys[a]) / (user[e] + sys[e])
        }
        printf "\n%d runs each after one warm-up (hyperfine); load average after: %s\n", r, load
    }' "$work/times.json"
