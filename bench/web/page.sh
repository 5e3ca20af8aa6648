#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The web page's cost and size (issue 12's numbers), on ogated with the
# synthetic heart (128x128), the dry-run sink and SCHED_FIFO 50 for capture
# and analysis as on the Pi (WEB_BENCH_RT=0: without):
#   - analysis p99 per frame and frames dropped at 80 and 250 fps, without
#     the web server and the shared-memory stream, then with both on and a
#     page's worth of clients (the live MJPEG stream, the event stream) plus
#     ogate-shmcat reading the ring;
#   - the daemon's CPU use (all its threads) without and with the page;
#   - the page's data rate at default settings (live image + events);
#   - the page's load: its files, the reference's thumbnails and one frame.
# Wall-clock p99 of whole-daemon runs varies by +/-15 % between identical
# runs on a shared machine: bench/web/analysis_cost.c resolves the rise.
# Prints BENCH lines. Run from the top of the tree (make bench does).
set -u
bin=build/bin
secs=${WEB_BENCH_SECS:-12}
tmp=$(mktemp -d /tmp/ogate-web-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

st() { "$bin/ogate-client" -s "$tmp/s.sock" stats | sed -n "s/^$1=//p"; }

run() {	# fps on|off -> prints "p99_us drops"
	local fps=$1 mode=$2 web=() d
	if [ "$mode" = on ]; then
		web=(--set web.listen=127.0.0.1:0 --set "web.root=$PWD/userspace/daemon/web/www"
		     --set "shm.name=ogate-bench-$$")
	else
		web=(--set web.listen= --set shm.name=)
	fi
	"$bin/ogated" --config /dev/null --set "daemon.socket=$tmp/s.sock" --set daemon.socket_group= \
		--set "synthetic.fps=$fps" --set "daemon.rt_priority=${WEB_BENCH_RT:-50}" "${web[@]}" \
		> "$tmp/ogated.log" 2>&1 &
	d=$!
	pids+=("$d")
	for _ in $(seq 50); do [ -S "$tmp/s.sock" ] && grep -q ready "$tmp/ogated.log" && break; sleep 0.1; done
	sleep 2	# lock first: the figures are for the gating steady state
	if [ "$mode" = on ]; then
		port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$tmp/ogated.log")
		timeout "$secs" curl -s "http://127.0.0.1:$port/api/stream.mjpg" -o "$tmp/mjpg" &
		timeout "$secs" curl -s "http://127.0.0.1:$port/api/events" -o "$tmp/events" &
		timeout "$secs" "$bin/ogate-shmcat" "ogate-bench-$$" > /dev/null 2> "$tmp/shmcat.err" &
	fi
	local f0 d0 f1 d1 c0 c1
	c0=$(cpu_ticks "$d")
	f0=$(st analysed)
	d0=$(( $(st drops_source) + $(st drops_analysis) ))
	sleep "$secs"
	f1=$(st analysed)
	c1=$(cpu_ticks "$d")
	d1=$(( $(st drops_source) + $(st drops_analysis) ))
	echo "$(st analysis_p99_us) $((d1 - d0)) $((f1 - f0)) $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v s="$secs" 'BEGIN { printf "%.1f", t / hz / s * 100 }')"
	cp "$tmp/ogated.log" "$tmp/ogated-$fps-$mode.log"
	if [ "$mode" = on ]; then
		wait_bytes=$(( $(stat_size "$tmp/mjpg") + $(stat_size "$tmp/events") ))
		echo "$wait_bytes" > "$tmp/rate"
		{ for f in index.html style.css app.js; do curl -s "http://127.0.0.1:$port/$f"; done
		  curl -s "http://127.0.0.1:$port/api/reference" "http://127.0.0.1:$port/api/reference.jpg"
		  curl -s "http://127.0.0.1:$port/api/frame.jpg"; } | wc -c > "$tmp/load"
	fi
	kill "$d"; wait "$d" 2>/dev/null
	rm -f "$tmp/s.sock"
	[ -n "${WEB_BENCH_KEEP:-}" ] && cp "$tmp"/ogated-*.log "$WEB_BENCH_KEEP/" 2>/dev/null
	return 0
}
# user + system CPU time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
stat_size() { [ -e "$1" ] && stat -c %s "$1" || echo 0; }

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# alternate off/on runs (the machine's own load drifts), median of each side
reps=${WEB_BENCH_REPS:-3}
for fps in 80 250; do
	: > "$tmp/offs"; : > "$tmp/ons"
	for _ in $(seq "$reps"); do
		run "$fps" off >> "$tmp/offs"
		run "$fps" on >> "$tmp/ons"
	done
	off_p99=$(cut -d' ' -f1 "$tmp/offs" | median)
	on_p99=$(cut -d' ' -f1 "$tmp/ons" | median)
	off_drops=$(awk '{ s += $2 } END { print s }' "$tmp/offs")
	on_drops=$(awk '{ s += $2 } END { print s }' "$tmp/ons")
	off_n=$(awk '{ s += $3 } END { print s }' "$tmp/offs")
	on_n=$(awk '{ s += $3 } END { print s }' "$tmp/ons")
	echo "# ${fps} fps analysis p99 (us) off: $(cut -d' ' -f1 "$tmp/offs" | tr '\n' ' ')on: $(cut -d' ' -f1 "$tmp/ons" | tr '\n' ' ')"
	echo "BENCH web_analysis_p99_${fps}fps_off ${off_p99} us"
	echo "BENCH web_analysis_p99_${fps}fps_on ${on_p99} us"
	awk -v a="$off_p99" -v b="$on_p99" -v f="$fps" 'BEGIN { printf "BENCH web_analysis_p99_rise_%sfps %.1f %%\n", f, (b - a) / a * 100 }'
	echo "BENCH web_daemon_cpu_${fps}fps_off $(cut -d' ' -f4 "$tmp/offs" | median) % of a core"
	echo "BENCH web_daemon_cpu_${fps}fps_on $(cut -d' ' -f4 "$tmp/ons" | median) % of a core"
	echo "BENCH web_dropped_${fps}fps_off ${off_drops} frames (of ${off_n})"
	echo "BENCH web_dropped_${fps}fps_on ${on_drops} frames (of ${on_n})"
	if [ "$fps" = 80 ]; then
		awk -v b="$(cat "$tmp/rate")" -v s="$secs" 'BEGIN { printf "BENCH web_page_data_rate %.1f kB/s\n", b / s / 1000 }'
		awk -v b="$(cat "$tmp/load")" 'BEGIN { printf "BENCH web_page_load %.1f kB\n", b / 1000 }'
	fi
done
