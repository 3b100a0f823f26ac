"""A small Chrome DevTools Protocol client over a pipe, for headless Chromium.

The browser tests, the report benchmark and the README screenshots drive the system's
Chromium (Debian's `chromium` package) directly: `--remote-debugging-pipe` gives the
protocol on file descriptors 3 and 4 as NUL-separated JSON, so no Python package, no
downloaded browser, no port and no network is needed. Standard library only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserError(Exception):
    """The browser failed to start, died, or answered a command with an error."""


class BrowserGone(BrowserError):
    """The browser stopped answering or closed the protocol pipe: nothing to wait for."""


class WaitTimeout(BrowserError):
    """A condition polled with `Chromium.wait_until` did not come true in time."""


# How long a condition may take to come true. Generous on purpose: a page on a loaded 2-core
# CI machine can fall seconds behind, and a wait returns as soon as its condition holds, so a
# long limit costs nothing when things are fast.
WAIT_TIMEOUT = 20.0


def find_chromium() -> str | None:
    """The Chromium executable: `$ARCHC_CHROMIUM`, else the first candidate on PATH."""
    explicit = os.environ.get("ARCHC_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless browser with one page; events are kept for later inspection."""

    def __init__(self, executable: str, width: int = 1400, height: int = 900,
                 timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._next = 0
        self._buffer = b""
        self._profile = tempfile.mkdtemp(prefix="archc-chromium-")
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()

        def wire() -> None:  # in the child: the protocol pipes become fds 3 and 4
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [executable, "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--mute-audio", f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}", "about:blank"]
        self._proc = subprocess.Popen(args, preexec_fn=wire, close_fds=False,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._out = to_child_w
        self._in = from_child_r
        try:
            targets = self.call("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            self.session = self.call("Target.attachToTarget",
                                     {"targetId": page["targetId"], "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Network", "Log"):
                self.send(f"{domain}.enable")
            self.send("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": False})
        except Exception:
            self.close()
            raise

    # -- protocol ----------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        """Send a command and wait for its answer (events meanwhile go to `events`)."""
        self._next += 1
        ident = self._next
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == ident:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A command to the page's session."""
        return self.call(method, params, self.session)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserGone(f"the browser did not answer in {self.timeout:.0f} s")
            ready, _, _ = select.select([self._in], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserGone("the browser closed the protocol pipe (did it crash?)")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def pump(self, seconds: float = 0.1) -> None:
        """Collect events for a while (console messages arrive asynchronously)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._in], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                break
            self._buffer += chunk
            while b"\0" in self._buffer:
                raw, _, self._buffer = self._buffer.partition(b"\0")
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)

    # -- conveniences ------------------------------------------------------------------------

    def wait_until(self, expression: str, until: Callable[[Any], bool] = bool,
                   timeout: float = WAIT_TIMEOUT, interval: float = 0.01) -> Any:
        """Evaluate `expression` until `until(value)` holds (by default: the value is true to
        Python); return that value.

        The way to wait for a page to react: input events and `requestAnimationFrame`
        redraws are handled after the protocol call that caused them may have returned, so
        a check made right away can see the page before it caught up. A thrown expression
        counts as not yet (say, an element not drawn yet). Raises `WaitTimeout` naming the
        last value seen, so a failure says what the page showed instead.
        """
        start = time.monotonic()
        last = "(not evaluated)"
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserGone:
                raise
            except BrowserError as exc:
                last = f"threw {exc}"
            else:
                if until(value):
                    return value
                last = repr(value)
            if time.monotonic() - start >= timeout:
                raise WaitTimeout(f"{expression!r} did not come to what was awaited within "
                                  f"{timeout:.0f} s; "
                                  f"last value: {last[:1000]}")
            time.sleep(interval)

    def open(self, url: str, ready: str = "document.body.classList.contains('ready')") -> float:
        """Navigate and wait until `ready` is true in the new document; return the seconds.

        The page being left is marked first, so a `ready` that was already true there is
        never taken for the new document's.
        """
        with contextlib.suppress(BrowserError):
            self.evaluate("document.archcLeft = true")
        start = time.monotonic()
        self.send("Page.navigate", {"url": url})
        try:
            self.wait_until(f"!document.archcLeft && ({ready}) === true",
                            timeout=self.timeout, interval=0.005)
        except WaitTimeout as exc:
            raise WaitTimeout(f"{url} did not become ready: {exc}") from None
        return time.monotonic() - start

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable values)."""
        result = self.send("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def mouse(self, kind: str, x: float, y: float, **extra: Any) -> None:
        """A mouse event at viewport coordinates (`mouseMoved`, `mousePressed`, ...)."""
        self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, **extra})

    def click(self, x: float, y: float) -> None:
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y, button="left", clickCount=1)
        self.mouse("mouseReleased", x, y, button="left", clickCount=1)

    def screenshot(self, path: str | os.PathLike[str]) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries seen so far."""
        found = []
        for e in self.events:
            method, params = e["method"], e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                                 "assert"):
                found.append(json.dumps(params.get("args", []))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(params["entry"].get("text", "")[:500])
        return found

    def requests(self) -> list[str]:
        """URLs of every network request the page made (the file itself included)."""
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.call("Browser.close")
        with contextlib.suppress(Exception):
            self._proc.wait(timeout=10)
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._out, self._in):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)


@contextlib.contextmanager
def browser(executable: str | None = None, **kwargs: Any) -> Iterator[Chromium]:
    """`with browser() as b:` a started headless Chromium, closed afterwards."""
    exe = executable or find_chromium()
    if exe is None:
        raise BrowserError("no Chromium found (install Debian's `chromium` or set "
                           "ARCHC_CHROMIUM)")
    b = Chromium(exe, **kwargs)
    try:
        yield b
    finally:
        b.close()
