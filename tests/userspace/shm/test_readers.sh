#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The readers outside the daemon, against a ring written by shm_fixture:
# the documented Python/numpy reader (userspace/shm/python/ogate_frames.py)
# and ogate-shmcat (lines and --raw pixels).
set -u
cd "$(dirname "$0")/../../.."
fixture=build/test/userspace/shm/shm_fixture
shmcat=build/bin/ogate-shmcat
name=ogate-test-readers-$$
echo "1..3"
"$fixture" "$name" 10 32 4000 > /dev/null &
fpid=$!
trap 'kill $fpid 2>/dev/null; wait $fpid 2>/dev/null' EXIT
for _ in $(seq 50); do [ -e "/dev/shm/$name" ] && break; sleep 0.05; done
sleep 0.2

out=$(timeout 10 /usr/bin/python3 - "$name" <<'PY' 2>&1
import sys
sys.path.insert(0, "userspace/shm/python")
import numpy as np
from ogate_frames import frames
got = []
for meta, img in frames(sys.argv[1]):
    seq, t, exp, phase, state, flags, trig, w, h, bpp, ref, target = meta
    n = seq - 100
    y, x = np.mgrid[0:32, 0:32]
    assert img.shape == (32, 32) and img.dtype == np.uint8, img.shape
    assert (img == ((n + x + 2 * y) & 0xff)).all(), "pixels of frame %d" % n
    assert t == n * 1000000 and exp == 1500000 and abs(phase - n / 10) < 1e-12
    assert state == (1 if n >= 3 else 0) and flags == (1 if n % 5 == 0 else 0)
    got.append(seq)
    if len(got) == 10:
        break
print("frames", got[0], got[-1])
PY
)
if [ "$out" = "frames 100 109" ]; then echo "ok 1 the Python/numpy reader gets every frame with its pixels and metadata"
else echo "not ok 1 the Python/numpy reader gets every frame with its pixels and metadata"; echo "# $out"; fi

lines=$(timeout 5 "$shmcat" -n 10 "$name")
if [ "$(echo "$lines" | grep -vc '^#')" = 10 ] &&
   echo "$lines" | grep -q '^100 0.000000 0.0000 determine 1 1500.0 32 32$' &&
   echo "$lines" | grep -q '^109 0.009000 0.9000 locked 0 1500.0 32 32$'; then
	echo "ok 2 ogate-shmcat prints one line per frame with its metadata"
else echo "not ok 2 ogate-shmcat prints one line per frame with its metadata"; echo "$lines" | sed 's/^/# /'; fi

bytes=$(timeout 5 "$shmcat" --raw -n 10 "$name" | od -An -tu1 -v -j $((9 * 1024 + 32 + 3)) -N1 | tr -d ' ')
# frame 9, pixel (3, 1): 9 + 3 + 2 = 14
if [ "$bytes" = 14 ]; then echo "ok 3 ogate-shmcat --raw writes the frames' pixels"
else echo "not ok 3 ogate-shmcat --raw writes the frames' pixels (got '$bytes')"; fi
[ -e "/dev/shm/$name" ] && rm -f "/dev/shm/$name"
exit 0
