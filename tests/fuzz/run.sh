#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Run every libFuzzer target (build/fuzz/fuzz_*) for FUZZ_SECONDS each (default 3) from the seed
# corpus that build/fuzz/mkseeds writes (fixed content, libFuzzer seed 1). New inputs go to
# FUZZ_CORPUS/<target> when set (make fuzz), else to a scratch folder. A crash, leak, timeout or
# out-of-memory is a failed test; its input is kept in build/fuzz/artifacts/. Prints TAP and, per
# target, the runs and executions per second.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=build/fuzz
secs=${FUZZ_SECONDS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=(tiff npy timestamps truth)
echo "1..${#names[@]}"
if ! $B/mkseeds "$tmp/seeds"; then
	echo "Bail out! cannot write the seed corpus"
	exit 1
fi
mkdir -p $B/artifacts
n=0 fail=0
for t in "${names[@]}"; do
	n=$((n + 1))
	corpus=${FUZZ_CORPUS:+$FUZZ_CORPUS/$t}
	corpus=${corpus:-$tmp/new_$t}
	mkdir -p "$corpus"
	log=$tmp/$t.log
	$B/fuzz_$t -seed=1 -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix=$B/artifacts/${t}- -print_final_stats=1 "$corpus" "$tmp/seeds/$t" >"$log" 2>&1
	rc=$?
	runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
	eps=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$')
	if [ $rc -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
		echo "ok $n fuzz_${t}_survives_${secs}_s_from_the_seed_corpus"
		echo "# fuzz_$t: $runs runs, $eps exec/s, corpus $(ls "$corpus" | wc -l) new inputs"
	else
		fail=1
		echo "not ok $n fuzz_${t}_survives_${secs}_s_from_the_seed_corpus"
		grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -20 | sed 's/^/# /'
	fi
done
exit $fail
