#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The live image's frame rate as the page shows it (issue 12: >= 10 fps at
128x128 on the Pi): ogated on the synthetic heart (128x128, 80 fps, the
default web.stream_fps cap of 15), the page in Debian's headless chromium
(tests/web/cdp.py), and in the page a sampler that draws the live image
into a canvas every 4 ms and counts how often its pixels change, over
WEB_FPS_SECS (default 5) seconds, three times. Prints BENCH lines.
Run from the top of the tree (make bench does)."""
import os, statistics, subprocess, sys, tempfile, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "web"))
from cdp import Browser, stop_process, web_port  # noqa: E402

BIN = os.path.join(TOP, "build", "bin")
SECS = float(os.environ.get("WEB_FPS_SECS", "5"))

COUNT = """new Promise((done) => {
  const i = document.querySelector('#live'), c = document.createElement('canvas');
  const g = c.getContext('2d', { willReadFrequently: true });
  let last = null, changes = 0;
  const t0 = performance.now();
  const tick = setInterval(() => {
    if (!i.naturalWidth) return;
    c.width = i.naturalWidth; c.height = i.naturalHeight;
    g.drawImage(i, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let k = 0; k < d.length; k += 4) h = (h * 31 + d[k]) >>> 0;
    if (last !== null && h !== last) changes++;
    last = h;
    if (performance.now() - t0 >= %d) { clearInterval(tick); done([changes, i.naturalWidth, i.naturalHeight]); }
  }, 4);
})"""


def main():
    if not os.access("/usr/bin/chromium", os.X_OK):
        print("# live_fps: /usr/bin/chromium missing (scripts/deps/web.txt): skipped")
        return 0
    tmp = tempfile.mkdtemp(prefix="ogate-live-fps-")
    log = open(os.path.join(tmp, "ogated.log"), "w")
    daemon = subprocess.Popen([
        os.path.join(BIN, "ogated"), "--config", "/dev/null",
        "--set", "daemon.socket=" + os.path.join(tmp, "s.sock"), "--set", "daemon.socket_group=",
        "--set", "web.listen=127.0.0.1:0", "--set", "shm.name=",
        "--set", "web.root=" + os.path.join(TOP, "userspace/daemon/web/www"),
        "--set", "synthetic.size=128", "--set", "synthetic.fps=80"], stdout=log, stderr=subprocess.STDOUT)
    browser = None
    try:
        port = web_port(log.name)
        browser = Browser()
        browser.viewport(1280, 1000)
        browser.goto(f"http://127.0.0.1:{port}/")
        browser.wait("document.querySelector('#lock').textContent === 'locked'", 30)
        rates = []
        for _ in range(3):
            changes, w, h = browser.eval(COUNT % int(SECS * 1000), timeout=SECS + 30)
            rates.append(changes / SECS)
        print(f"# live image {w}x{h}: {' '.join(f'{r:.1f}' for r in rates)} frames/s shown (3 x {SECS:g} s)")
        print(f"BENCH web_live_fps_128 {statistics.median(rates):.1f} fps")
        print(f"BENCH web_live_fps_128_min {min(rates):.1f} fps")
    finally:
        if browser:
            browser.close()
        stop_process(daemon)
        subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
