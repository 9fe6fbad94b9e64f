"""A headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

No WebSocket and no port: Chromium reads commands on its fd 3 and writes answers and events on its
fd 4, each message a JSON text ended by a NUL byte. Used by the HTML report's browser tests and by
``bench/bench_report.py``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
"""The distribution's Chromium (``None`` when it is not installed)."""

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
)


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, ended, or did not answer in time."""


class Chromium:
    """One Chromium process with one page, opened on ``url`` at launch.

    ``with Chromium(url) as browser:`` launches it; ``browser.launched`` is the wall-clock time (epoch
    seconds) just before the process started. Events of the page (requests, console messages,
    exceptions) are kept in ``events``.
    """

    def __init__(self, url: str, *, width: int = 1280, height: int = 900, timeout: float = 120.0) -> None:
        if CHROMIUM is None:
            raise BrowserError("chromium is not installed")
        self.url = url
        self.size = (width, height)
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self.launched = 0.0
        self._ids = 0
        self._buffer = b""
        self._session = ""
        self._profile = tempfile.TemporaryDirectory(prefix="cloudaudit-chromium-")
        self._proc: subprocess.Popen[bytes] | None = None
        self._to_browser = -1
        self._from_browser = -1

    def __enter__(self) -> Chromium:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------------------ process

    def start(self) -> None:
        """Launch Chromium on the page and attach to it."""
        assert CHROMIUM is not None
        child_in, self._to_browser = os.pipe()  # Chromium reads commands on its fd 3
        self._from_browser, child_out = os.pipe()  # and writes on its fd 4

        def wire() -> None:  # in the child, before exec: the pipe ends become its fds 3 and 4
            high_in, high_out = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (child_in, child_out))
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        cmd = [
            CHROMIUM,
            *FLAGS,
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile.name}",
            f"--window-size={self.size[0]},{self.size[1]}",
            self.url,
        ]
        self.launched = time.time()
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),  # kept open by close_fds, which runs after preexec_fn
            preexec_fn=wire,
        )
        os.close(child_in)
        os.close(child_out)
        self._attach()

    def close(self) -> None:
        """End the browser and remove its profile."""
        if self._proc is not None:
            with contextlib.suppress(BrowserError, OSError):
                self._send("Browser.close", {}, session="")
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        for fd in (self._to_browser, self._from_browser):
            if fd >= 0:
                os.close(fd)
        self._to_browser = self._from_browser = -1
        self._profile.cleanup()

    def _attach(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            pages = [
                t for t in self.call("Target.getTargets", session="")["targetInfos"] if t["type"] == "page"
            ]
            if pages:
                break
            if time.monotonic() > deadline:
                raise BrowserError("no page target appeared")
            time.sleep(0.01)
        attached = self.call(
            "Target.attachToTarget", {"targetId": pages[0]["targetId"], "flatten": True}, session=""
        )
        self._session = attached["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")

    # ------------------------------------------------------------------------------ protocol

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None) -> Any:
        """Send one command (to the page unless ``session=""``: the browser) and return its result."""
        ident = self._send(method, params or {}, self._session if session is None else session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._read(deadline)
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def _send(self, method: str, params: dict[str, Any], session: str) -> int:
        self._ids += 1
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_browser, data) :]
        return self._ids

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError("chromium ended")
                self._buffer += chunk
        text, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(text)
        return message

    # ------------------------------------------------------------------------------ the page

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:200]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None, interval: float = 0.02) -> Any:
        """The first truthy value of ``expression``, polled."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError:
                value = None  # the document is being replaced
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression}")
            time.sleep(interval)

    def navigate(self, url: str) -> None:
        """Load ``url`` (the page's script runs again)."""
        self.call("Page.navigate", {"url": url})

    def viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        """Emulate a screen of this size (CSS pixels)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def key(self, key: str, code: str = "", *, shift: bool = False, text: str = "") -> None:
        """Press and release one key (``Tab``, ``Enter``, ``ArrowDown``...)."""
        codes = {"Tab": 9, "Enter": 13, "Escape": 27, " ": 32, "ArrowDown": 40, "ArrowUp": 38}
        base = {
            "key": key,
            "code": code or key,
            "windowsVirtualKeyCode": codes.get(key, 0),
            "modifiers": 8 if shift else 0,
        }
        self.call("Input.dispatchKeyEvent", {**base, "type": "keyDown", **({"text": text} if text else {})})
        self.call("Input.dispatchKeyEvent", {**base, "type": "keyUp"})

    def screenshot(self, path: Path, *, full: bool = False) -> None:
        """A PNG of the viewport (or of the whole page)."""
        params: dict[str, Any] = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", params)["data"]))

    def requests(self) -> list[str]:
        """Every URL the page asked for so far (its own document included)."""
        self.evaluate("1")  # collect the events sent until now
        return [
            e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"
        ]

    def problems(self) -> list[str]:
        """Exceptions, console errors and browser log errors (CSP violations among them) so far."""
        self.evaluate("1")
        out = []
        for e in self.events:
            params = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                out.append(str(params["exceptionDetails"]))
            elif e["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", []))
                )
            elif e["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                out.append(params["entry"]["text"])
        return out


def page_url(path: Path) -> str:
    """The ``file://`` URL of a page."""
    return path.resolve().as_uri()
