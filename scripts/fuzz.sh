#!/usr/bin/env bash
# Runs every cargo-fuzz target for a fixed time and keeps what it learnt.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (60 s each, all targets by default)
#
# Targets: sidecar (store::sidecar::from_bytes, and the single-pass reader
# against the general one), tagset (TagSet::parse),
# brat (export::brat::from_brat: a .txt, a NUL byte, its .ann) and jsonl
# (export::jsonl::from_value and the doccano/spaCy readers, line by line).
# The corpus of each target lives in fuzz/corpus/<target> and grows from run to
# run; it is seeded from fuzz/seeds/<target> and the golden files in tests/.
# A crash stops the run, leaves the input in fuzz/artifacts/<target>/ and exits non-zero.
#
# Only the stable compiler is installed here: RUSTC_BOOTSTRAP=1 lets it accept
# the unstable flags cargo-fuzz passes (sanitizer coverage). The sanitizer is off
# by default (FUZZ_SANITIZER=address to turn AddressSanitizer on): the code under
# test is safe Rust, where a panic is the failure that matters, and the build is
# twice as fast without it. Debug assertions are on, so overflows panic.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sidecar tagset brat jsonl)
case "$secs" in '' | *[!0-9]*) echo "fuzz.sh: the first argument is seconds per target, e.g. 60" >&2; exit 2 ;; esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz from crates.io"
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-none}"

seed() {
    local target=$1 dir=fuzz/corpus/$1
    mkdir -p "$dir"
    cp -n fuzz/seeds/"$target"/* "$dir"/ 2>/dev/null || true
    case "$target" in
        tagset) cp -n assets/tagset.ron "$dir"/builtin.ron ;;
        brat)
            for ann in tests/golden/brat/*.ann tests/golden/brat/extra/*.ann; do
                local name out
                name=$(basename "$ann" .ann)
                out="$dir/golden-$name.bin"
                [ -e "$out" ] || { cat "${ann%.ann}.txt"; printf '\0'; cat "$ann"; } >"$out"
            done
            ;;
        jsonl)
            local n=0
            while IFS= read -r line; do
                n=$((n + 1))
                [ -e "$dir/golden-$n.jsonl" ] || printf '%s\n' "$line" >"$dir/golden-$n.jsonl"
            done <tests/golden/jsonl/export.jsonl
            ;;
    esac
}

echo "== building the fuzz targets (sanitizer: $sanitizer)"
cargo fuzz build -O --debug-assertions -s "$sanitizer"

for t in "${targets[@]}"; do
    seed "$t"
    before=$(find "fuzz/corpus/$t" -type f | wc -l)
    echo "== fuzzing $t for ${secs}s (corpus: $before inputs)"
    log=$(mktemp)
    if ! cargo fuzz run -O --debug-assertions -s "$sanitizer" "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>"$log"; then
        # The panic message, not the runner's own backtrace, is what tells what broke.
        grep -A 15 "panicked" "$log" >&2 || tail -n 60 "$log" >&2
        echo "fuzz.sh: $t found a crash; the input is in fuzz/artifacts/$t/" >&2
        exit 1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    after=$(find "fuzz/corpus/$t" -type f | wc -l)
    echo "$t: ${runs:-?} inputs tried in ${secs}s, no crash; corpus $before -> $after inputs"
    rm -f "$log"
done
