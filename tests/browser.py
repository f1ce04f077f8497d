"""A small Chrome DevTools Protocol client over a pipe: headless Chromium without extra packages.

Chromium started with ``--remote-debugging-pipe`` reads protocol messages (JSON, each ended by
a NUL byte) from file descriptor 3 and writes replies and events to descriptor 4. Every
network request a page makes is paused (``Fetch`` domain) and answered here: CDN addresses of
the map libraries from geosite's vendored copies, map tiles with a blank image, anything else
is refused and recorded, so a test never reaches the network and can assert what was asked.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from geosite.render.assets import local_asset

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
)
TILE_HOSTS = ("basemaps.cartocdn.com", "tile.openstreetmap.org", "server.arcgisonline.com")


def chromium_available() -> bool:
    """Return whether a Chromium binary is installed."""
    return shutil.which("chromium") is not None or Path("/usr/bin/chromium").exists()


def _png(width: int = 256, height: int = 256, grey: int = 230) -> bytes:
    """Return a plain grey PNG: stands in for map tiles."""
    row = b"\x00" + bytes([grey, grey, grey]) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


TILE = _png()


class ProtocolError(RuntimeError):
    """Chromium answered a command with an error, or did not answer in time."""


@dataclass
class Page:
    """One open tab: send commands, read what happened."""

    browser: Browser
    session: str
    target: str = ""
    errors: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    tiles: int = 0

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> Any:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """Evaluate JavaScript in the page (promises awaited); return its JSON value."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in reply:
            raise ProtocolError(f"{expression!r} threw {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        end = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > end:
                raise ProtocolError(f"timed out waiting for {expression!r}")
            time.sleep(0.05)

    def click(self, x: float, y: float) -> None:
        """Click with the mouse at a viewport position (CSS pixels)."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def close(self) -> None:
        """Close the tab."""
        self.browser.send("Target.closeTarget", {"targetId": self.target})
        self.browser.forget(self.session)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    # -- events -------------------------------------------------------------------------

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Fetch.requestPaused":
            self._answer(params)
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.errors.append(f"exception: {text}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in {"error", "assert"}:
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.errors.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(
                f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}"
            )

    def _answer(self, params: dict[str, Any]) -> None:
        url = params["request"]["url"]
        request = params["requestId"]
        asset = local_asset(url)
        if asset is not None:
            mime = "text/css" if asset.kind == "css" else "application/javascript"
            body, status = asset.path.read_bytes(), 200
            self.served.append(url)
        elif any(host in url for host in TILE_HOSTS):
            mime, body, status = "image/png", TILE, 200
            self.tiles += 1
        else:
            self.refused.append(url)
            self.browser.post(
                "Fetch.failRequest",
                {"requestId": request, "errorReason": "BlockedByClient"},
                session=self.session,
            )
            return
        self.browser.post(
            "Fetch.fulfillRequest",
            {
                "requestId": request,
                "responseCode": status,
                "responseHeaders": [
                    {"name": "Content-Type", "value": mime},
                    {"name": "Access-Control-Allow-Origin", "value": "*"},
                ],
                "body": base64.b64encode(body).decode("ascii"),
            },
            session=self.session,
        )


class Browser:
    """Headless Chromium driven over ``--remote-debugging-pipe``."""

    def __init__(self, width: int = 1280, height: int = 860) -> None:
        self._profile = tempfile.mkdtemp(prefix="geosite-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # The child must find the pipes on descriptors 3 and 4; move ours out of the way.
        low_r = os.dup(to_child_r)
        low_w = os.dup(from_child_w)

        def plumb() -> None:
            os.dup2(low_r, 3)
            os.dup2(low_w, 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                *FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=plumb,  # noqa: PLW1509 - single-threaded at this point
            close_fds=False,
        )
        for fd in (to_child_r, from_child_w, low_r, low_w):
            os.close(fd)
        self._next = 0
        self._lock = threading.Lock()
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._pages: dict[str, Page] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.width, self.height = width, height

    # -- transport ------------------------------------------------------------------------

    def _write(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._to_child, view)
                view = view[written:]

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    box = self._replies.get(message["id"])
                    if box is not None:
                        box.put(message)
                elif "method" in message:
                    page = self._pages.get(message.get("sessionId", ""))
                    if page is not None:
                        page.on_event(message["method"], message.get("params", {}))

    def post(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> int:
        """Send a command without waiting for its reply."""
        with self._lock:
            self._next += 1
            ident = self._next
        self._replies[ident] = queue.Queue()
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write(message)
        return ident

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30,
    ) -> Any:
        """Send a command and return its result."""
        ident = self.post(method, params, session=session)
        try:
            reply = self._replies[ident].get(timeout=timeout)
        except queue.Empty:
            raise ProtocolError(f"no reply to {method} within {timeout} s") from None
        finally:
            self._replies.pop(ident, None)
        if "error" in reply:
            raise ProtocolError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    # -- pages ----------------------------------------------------------------------------

    def open(self, path: Path, *, timeout: float = 30) -> Page:
        """Open a local file in a new tab with every network request answered locally."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session, target)
        self._pages[session] = page
        for domain in ("Runtime", "Log", "Page"):
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        page.send("Fetch.enable", {"patterns": [{"urlPattern": "http*"}]})
        page.send("Page.navigate", {"url": path.resolve().as_uri()})
        page.wait_for("document.readyState === 'complete'", timeout=timeout)
        return page

    def forget(self, session: str) -> None:
        """Stop routing events of a closed tab."""
        self._pages.pop(session, None)

    def close(self) -> None:
        with contextlib.suppress(ProtocolError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
