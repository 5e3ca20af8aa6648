# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe
(fd 3: commands to the browser, fd 4: replies and events, NUL-separated JSON).
Only the standard library: no npm, no websocket package, no downloaded browser."""
import base64, json, os, re, subprocess, tempfile, time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-pipe"]


def web_port(log_path, tries=100):
    """The port ogated's log says its web server listens on (it may pick one: web.listen=...:0)."""
    for _ in range(tries):
        with open(log_path) as f:
            m = re.search(r"port (\d+)", f.read())
        if m:
            return int(m.group(1))
        time.sleep(0.1)
    with open(log_path) as f:
        raise RuntimeError("ogated did not start its web server:\n" + f.read())


def stop_process(proc, grace_s=10):
    """SIGTERM, then SIGKILL if it has not ended within grace_s."""
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()


class Browser:
    def __init__(self, exe="/usr/bin/chromium", log=None):
        self.profile = tempfile.mkdtemp(prefix="ogate-chromium-")
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()
        # above the browser's 3 and 4 (or the shell's moves below clobber them)
        to_r, from_w = (self._high(to_r), self._high(from_w))
        os.set_inheritable(to_r, True)
        os.set_inheritable(from_w, True)

        # the browser expects the pipes as its fds 3 and 4: the shell puts them there
        args = " ".join([exe, *FLAGS, "--user-data-dir=" + self.profile, "about:blank"])
        self.proc = subprocess.Popen(["/bin/sh", "-c", f"exec {args} 3<&{to_r} 4>&{from_w} {to_r}<&- {from_w}>&-"],
                                     pass_fds=(to_r, from_w), stdin=subprocess.DEVNULL,
                                     stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._buf = b""
        self._id = 0
        self.events = []
        self.session = None
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", targetId=page["targetId"], flatten=True,
                                 _browser=True)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    @staticmethod
    def _high(fd):
        import fcntl
        hi = fcntl.fcntl(fd, fcntl.F_DUPFD, 5)  # /bin/sh (dash) takes one-digit fds
        os.close(fd)
        return hi

    def _read(self, timeout):
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            if time.monotonic() > end:
                raise TimeoutError("no reply from chromium")
            import select
            r, _, _ = select.select([self._from_r], [], [], 0.5)
            if r:
                chunk = os.read(self._from_r, 1 << 20)
                if not chunk:
                    raise EOFError("chromium closed its pipe")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, _browser=False, _timeout=30, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if self.session and not _browser:
            msg["sessionId"] = self.session
        os.write(self._to_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read(_timeout)
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def eval(self, expr, timeout=30):
        r = self.send("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True,
                      _timeout=timeout)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr[:80]}: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r["result"].get("value")

    def wait(self, expr, timeout=20, every=0.2):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            v = self.eval(expr)
            if v:
                return v
            time.sleep(every)
        return None

    def viewport(self, width, height, mobile=False, scale=1):
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=scale, mobile=mobile)

    def goto(self, url):
        self.send("Page.navigate", url=url)
        self.wait("document.readyState === 'complete'", 20)

    def screenshot(self, path, full=True):
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=full)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close", _browser=True, _timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        subprocess.run(["rm", "-rf", self.profile])
