#!/usr/bin/env python3
"""check_web.py: the web edition, tested in a real browser (make test).

    python3 tools/check_web.py [--site build/html] [--screenshot PAGE]

Loads every page of the site (make html) in headless Chromium, from its
file:// URL, and drives it over the DevTools protocol (a small WebSocket
client written with the standard library). A page fails on:
  - a console error or an uncaught exception;
  - a request for anything outside the site's folder (the site must work
    offline: no CDN, no web font), or a request that fails;
  - an equation left as raw TeX, or rendered as a KaTeX error;
  - an image that does not load;
  - a link to a file that does not exist, or to an anchor that the target
    page does not define.
Links to other sites (the references' DOIs) are not followed: they are not
requests, and the test runs offline. A screenshot of one chapter page goes
to build/web-check/ for review. Prints one line per page and
"check_web: N passed, N failed".
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE_TIMEOUT = 30  # seconds for a page to load and render its formulas


# ---------------------------------------------------------------------------
# A minimal WebSocket client (RFC 6455): text frames, client-side masking,
# fragmented and long messages, ping/pong. Enough for the DevTools protocol.

class WebSocket:
    def __init__(self, url, timeout=PAGE_TIMEOUT):
        u = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the browser closed the connection during the handshake")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise ConnectionError(f"WebSocket handshake refused: {status.decode(errors='replace')}")
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buffer)))
            if not chunk:
                raise ConnectionError("the browser closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, text):
        self._send_frame(0x1, text.encode())

    def recv(self):
        """The next text message."""
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:                       # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("the browser closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode()

    def close(self):
        try:
            self._send_frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


class DevTools:
    """One page target: commands wait for their answer; events are kept."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        wanted = self.next_id
        self.ws.send(json.dumps({"id": wanted, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, method, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)
            self.ws.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                msg = json.loads(self.ws.recv())
            except socket.timeout:
                break
            if "method" in msg:
                self.events.append(msg)
        return None

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"the page's check script failed: {result['exceptionDetails']}")
        return result["result"].get("value")


# ---------------------------------------------------------------------------
# The browser

def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def start_chromium(binary, profile):
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--no-default-browser-check", "--disable-extensions", "--disable-sync",
           "--disable-background-networking", "--disable-component-update",
           "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
           # nothing leaves the machine, whatever a page asks for
           "--host-resolver-rules=MAP * ~NOTFOUND",
           f"--user-data-dir={profile}", "--remote-debugging-port=0",
           "--window-size=1280,2000", "about:blank"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited at start ({proc.returncode})")
        if os.path.exists(port_file):
            with open(port_file) as f:
                lines = f.read().split()
            if lines:
                return proc, int(lines[0])
        time.sleep(0.1)
    raise RuntimeError("chromium did not open its DevTools port within 30 s")


def stop_chromium(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def page_target(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
        targets = json.load(r)
    for t in targets:
        if t.get("type") == "page":
            return t["webSocketDebuggerUrl"]
    raise RuntimeError("chromium has no page to drive")


# ---------------------------------------------------------------------------
# What each page must satisfy, measured inside the page once it has loaded.

PAGE_SCRIPT = r"""
(async () => {
  await document.fonts.ready;
  const out = {raw_tex: [], katex_errors: [], images: [], links: [], ids: [], fonts: []};
  for (const el of document.querySelectorAll('span.math')) {
    if (!el.querySelector('.katex')) out.raw_tex.push(el.textContent.slice(0, 80));
  }
  for (const el of document.querySelectorAll('.katex-error')) {
    out.katex_errors.push((el.getAttribute('title') || '') + ' in ' + el.textContent.slice(0, 60));
  }
  // TeX that never became a formula: a command or a $ delimiter in the text
  // outside formulas and code
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement.closest('.katex, code, pre, script, style')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const tex = /\\[A-Za-z]{2,}|\$\$|\\\(|\\\[|\$[^$\s][^$]*\$/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (tex.test(n.data)) out.raw_tex.push(n.data.trim().slice(0, 80));
  }
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) out.images.push(img.getAttribute('src'));
  }
  for (const a of document.querySelectorAll('a[href]')) out.links.push(a.href);
  for (const el of document.querySelectorAll('[id]')) out.ids.push(el.id);
  for (const f of document.fonts) if (f.status === 'error') out.fonts.push(f.family);
  return out;
})()
"""


def check_page(dt, url, site_url):
    """Loads url; returns (problems, links, ids)."""
    dt.events.clear()
    dt.call("Page.navigate", url=url)
    if dt.wait_for("Page.loadEventFired", PAGE_TIMEOUT) is None:
        return [f"did not load within {PAGE_TIMEOUT} s"], [], []
    found = dt.evaluate(PAGE_SCRIPT)
    # the events of the load, including any that came during the script
    dt.call("Runtime.evaluate", expression="0")
    problems = []
    for e in dt.events:
        m, p = e["method"], e.get("params", {})
        if m == "Network.requestWillBeSent":
            req = p["request"]["url"]
            if not (req.startswith(site_url) or req.startswith("data:")):
                problems.append(f"requests {req[:120]} (outside the site)")
        elif m == "Network.loadingFailed":
            if not p.get("canceled"):
                problems.append(f"a request failed: {p.get('errorText')}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console error: {text[:160]}")
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            problems.append(f"uncaught exception: {d.get('exception', {}).get('description', d.get('text'))}"[:200])
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            problems.append(f"console error: {entry.get('text', '')[:120]} {entry.get('url', '')}")
    for t in found["raw_tex"]:
        problems.append(f"raw TeX: {t!r}")
    for t in found["katex_errors"]:
        problems.append(f"KaTeX error: {t}")
    for src in found["images"]:
        problems.append(f"image does not load: {src}")
    for family in found["fonts"]:
        problems.append(f"font does not load: {family}")
    return problems, found["links"], found["ids"]


def check_links(pages, site_dir, site_url):
    """Every link inside the site leads to an existing file, and to an anchor
    that the target page defines. Returns {page: [problems]}."""
    problems = {name: [] for name in pages}
    for name, (links, _) in pages.items():
        for link in links:
            if not link.startswith("file://"):
                if not link.startswith(("http://", "https://", "mailto:")):
                    problems[name].append(f"a link of an unknown kind: {link}")
                continue
            target, _, anchor = link.partition("#")
            if not target.startswith(site_url):
                problems[name].append(f"a link leaves the site: {link}")
                continue
            rel = urllib.parse.unquote(target[len(site_url):])
            if not os.path.isfile(os.path.join(site_dir, rel)):
                problems[name].append(f"a link to a missing file: {rel}")
            elif anchor and rel in pages and urllib.parse.unquote(anchor) not in pages[rel][1]:
                problems[name].append(f"a link to a missing anchor: {rel}#{anchor}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--site", default="build/html")
    ap.add_argument("--screenshot", default=None,
                    help="the page to photograph (default: the third chapter's)")
    ap.add_argument("--out", default="build/web-check", help="where the screenshot goes")
    args = ap.parse_args()
    site_dir = os.path.join(ROOT, args.site)
    if not os.path.isfile(os.path.join(site_dir, "index.html")):
        print(f"check_web: no site in {args.site}: run make html first")
        print("check_web: 0 passed, 1 failed")
        return 1
    binary = find_chromium()
    if not binary:
        print("check_web: Chromium is missing: sh tools/setup.sh all (Debian: chromium)")
        print("check_web: 0 passed, 1 failed")
        return 1
    site_url = "file://" + urllib.parse.quote(site_dir) + "/"
    names = sorted(n for n in os.listdir(site_dir) if n.endswith(".html"))
    chapters = [n for n in names if n[:2].isdigit()]
    shot = args.screenshot or (chapters[min(2, len(chapters) - 1)] if chapters else "index.html")

    results, pages = {}, {}
    profile = tempfile.mkdtemp(prefix="check-web-")
    proc = None
    try:
        proc, port = start_chromium(binary, profile)
        dt = DevTools(page_target(port))
        for domain in ("Page", "Runtime", "Network", "Log"):
            dt.call(f"{domain}.enable")
        dt.call("Emulation.setDeviceMetricsOverride", width=1280, height=2000,
                deviceScaleFactor=1, mobile=False)
        for name in names:
            start = time.time()
            problems, links, ids = check_page(dt, site_url + name, site_url)
            results[name] = (problems, time.time() - start)
            pages[name] = (links, set(ids))
            if name == shot:
                os.makedirs(os.path.join(ROOT, args.out), exist_ok=True)
                png = dt.call("Page.captureScreenshot", format="png")["data"]
                path = os.path.join(ROOT, args.out, name.replace(".html", ".png"))
                with open(path, "wb") as f:
                    f.write(base64.b64decode(png))
        dt.ws.close()
    except (RuntimeError, ConnectionError, OSError) as e:
        print(f"check_web: the browser test could not run: {e}")
        print(f"check_web: {sum(not p for p, _ in results.values())} passed, 1 failed")
        return 1
    finally:
        if proc:
            stop_chromium(proc)
        shutil.rmtree(profile, ignore_errors=True)

    link_problems = check_links(pages, site_dir, site_url)
    passed = failed = 0
    for name in names:
        problems, seconds = results[name]
        problems = problems + link_problems[name]
        if problems:
            failed += 1
            print(f"FAIL {name} ({seconds:.1f} s): {len(problems)} problems")
            for p in problems[:15]:
                print(f"     {p}")
            if len(problems) > 15:
                print(f"     ... and {len(problems) - 15} more")
        else:
            passed += 1
            links = len(pages[name][0])
            print(f"ok   {name} ({seconds:.1f} s, {links} links)")
    print(f"screenshot: {args.out}/{shot.replace('.html', '.png')}")
    print(f"check_web: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
