"""Odoo's web client in headless Chromium, driven over the DevTools protocol.

Used by ``bench/bench_graph.py`` (``make bench-graph``) and ``scripts/screenshots.py``.
``OdooServer`` serves a database on a free port for the time of a run (or uses a server
already running, given its URL); ``Browser`` opens one page, logged in, and can
navigate, evaluate JavaScript and take screenshots. Needs ``websocket-client``
(requirements-test.txt) and Chromium (``CHROMIUM``, default ``/usr/bin/chromium``).
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout, what):
    """Calls ``check`` until it returns a true value, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


class OdooServer:
    """Odoo serving ``database`` on a free port until the ``with`` block ends; with
    ``url``, the server already running there."""

    def __init__(self, config, database, url=None):
        self.config, self.database, self.url = config, database, url
        self.process = None

    def __enter__(self):
        if self.url:
            return self
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [
            os.path.join(ROOT, ".venv", "bin", "python"),
            *("-m", "odoo", "-c", self.config, "-d", self.database),
            f"--db-filter=^{self.database}$",
            f"--http-port={port}",
            "--gevent-port=0",
            "--max-cron-threads=0",
            "--log-level=warn",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
        wait_until(self._ready, 180, f"Odoo on {self.url}")
        return self

    def _ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"Odoo stopped (exit code {self.process.returncode})")
        try:
            with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def __exit__(self, *exc):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def json_rpc(self, path, params, session_id=None):
        """POST a JSON-RPC request; returns (result, session id of the response)."""
        request = urllib.request.Request(  # noqa: S310
            f"{self.url}{path}",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode(),
            headers={"Content-Type": "application/json"},
        )
        if session_id:
            request.add_header("Cookie", f"session_id={session_id}")
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            body = json.load(response)
            cookie = response.headers.get("Set-Cookie", "")
        if body.get("error"):
            raise RuntimeError(body["error"].get("data", {}).get("message") or body["error"])
        session = (
            cookie.split("session_id=", 1)[1].split(";", 1)[0] if "session_id=" in cookie else None
        )
        return body["result"], session or session_id

    def login(self, login, password):
        """Session id of a user logged in with the password."""
        _result, session_id = self.json_rpc(
            "/web/session/authenticate",
            {"db": self.database, "login": login, "password": password},
        )
        return session_id


class Client:
    """JSON-RPC model calls as a logged-in user."""

    def __init__(self, server, session_id):
        self.server, self.session_id = server, session_id

    def call(self, model, method, *args, **kwargs):
        result, _session = self.server.json_rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            self.session_id,
        )
        return result


class Browser:
    """One headless Chromium page, sized ``width`` x ``height``."""

    def __init__(self, width=1280, height=800):
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="lot-headless-")
        self.process = None
        self.socket = None
        self.next_id = 0

    def __enter__(self):
        if not os.path.exists(CHROMIUM):
            raise RuntimeError(f"Chromium not found at {CHROMIUM} (set CHROMIUM)")
        self.process = subprocess.Popen(  # noqa: S603
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-extensions",
                "--no-first-run",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        wait_until(lambda: os.path.exists(port_file) and os.path.getsize(port_file), 30, "Chromium")
        with open(port_file) as handle:
            port = handle.readline().strip()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:  # noqa: S310
            pages = [target for target in json.load(response) if target["type"] == "page"]
        self.socket = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=300, suppress_origin=True
        )
        self.send("Page.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return self

    def __exit__(self, *exc):
        if self.socket:
            self.socket.close()
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method, **params):
        """Sends a DevTools command and returns its result (events are skipped)."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression, timeout=120):
        """Value of a JavaScript expression (awaited when it is a promise)."""
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
            timeout=timeout * 1000,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(details.get("exception", {}).get("description") or details["text"])
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60):
        """Waits until a JavaScript expression is true."""
        return wait_until(lambda: self.evaluate(expression), timeout, expression)

    def set_session(self, url, session_id):
        self.send("Network.enable")
        self.send("Network.setCookie", name="session_id", value=session_id, url=url)

    def goto(self, url):
        """Opens ``url``; for the web client, waits until its first action is shown."""
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def wait_for_webclient(self, action=False, timeout=60):
        """Waits until the web client is started (and, with ``action``, shows an action)."""
        self.wait_for(
            "!!(window.odoo && odoo.__WOWL_DEBUG__ && document.querySelector('.o_main_navbar')"
            + (" && document.querySelector('.o_action_manager > .o_action'))" if action else ")"),
            timeout,
        )

    def screenshot(self, path):
        """Saves the page as a PNG file; returns its size in bytes."""
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        with open(path, "wb") as handle:
            handle.write(data)
        return len(data)


def log(message):
    print(message, file=sys.stderr, flush=True)
