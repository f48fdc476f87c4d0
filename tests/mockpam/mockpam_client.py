#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Helpers for tests that drive the mock PAM server (stdlib only).

Module functions use a default target taken from the environment:
    MOCKPAM_URL   e.g. https://127.0.0.1:8443   (or configure(url=...))
    MOCKPAM_CA    CA file to verify the mock's certificate (optional; without
                  it HTTPS control calls skip verification: loopback test use)

    import mockpam_client as mp
    port = mp.wait_port("/tmp/x/port")           # wait for --port-file
    mp.configure("https://127.0.0.1:%d" % port, cafile="/tmp/x/ca.pem")
    mp.reset(); mp.fault("http500", on="checkout", count=1)
    st = mp.state(); assert not st["outstanding"]
    mp.checkin_all()

Also a small CLI for shell scripts:
    mockpam_client.py [--url URL] [--ca FILE] state | outstanding | reset |
        checkin-all | clear-faults | fault MODE [--on checkout|checkin|any]
        [--count N] [--delay S] | wait-port FILE [--timeout S]
"""

import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request


class MockPamError(Exception):
    pass


class MockPam:
    def __init__(self, url=None, cafile=None, timeout=10.0):
        self.url = (url or os.environ.get("MOCKPAM_URL") or "").rstrip("/")
        self.cafile = cafile if cafile is not None else os.environ.get("MOCKPAM_CA")
        self.timeout = timeout

    def _ctx(self):
        if not self.url.startswith("https:"):
            return None
        if self.cafile:
            return ssl.create_default_context(cafile=self.cafile)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def request(self, method, path, body=None, headers=None, raw=None):
        """Returns (http_status, headers, body_bytes). Never raises on HTTP errors."""
        if not self.url:
            raise MockPamError("no mock URL: set MOCKPAM_URL or call configure()")
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        h = {"Content-Type": "application/json"} if data is not None else {}
        h.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=self._ctx()) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def _control(self, method, path, body=None):
        st, _, data = self.request(method, path, body)
        try:
            obj = json.loads(data.decode())
        except ValueError:
            raise MockPamError("%s %s: HTTP %d, non-JSON answer" % (method, path, st))
        if st != 200:
            raise MockPamError("%s %s: HTTP %d: %s" % (method, path, st, obj.get("error")))
        return obj

    # ---- control API ----
    def state(self):
        return self._control("GET", "/_mock/state")

    def health(self):
        return self._control("GET", "/_mock/health")

    def fault(self, mode, on="any", count=1, delay=None):
        spec = {"mode": mode, "on": on, "count": count}
        if delay is not None:
            spec["delay"] = delay
        return self._control("POST", "/_mock/fault", spec)

    def password_style(self, style):
        """Style of the passwords handed out from now on (mockpam.PASSWORD_STYLES)."""
        return self._control("POST", "/_mock/password-style", {"style": style})

    def clear_faults(self):
        return self._control("POST", "/_mock/fault", {"mode": "none"})

    def reset(self):
        return self._control("POST", "/_mock/reset", {})

    def checkin_all(self):
        return self._control("POST", "/_mock/checkin-all", {})["checked_in"]

    def outstanding(self):
        return self.state()["outstanding"]

    def issued(self):
        """Passwords of recent checkouts (mock started with --expose-passwords):
        a list of {id, account, passwd}."""
        return self._control("GET", "/_mock/issued")["issued"]

    def wait_until(self, pred, timeout=5.0, interval=0.05):
        """Poll state() until pred(state) is true; returns the state or raises."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.state()
            if pred(st):
                return st
            if time.monotonic() >= deadline:
                raise MockPamError("condition not reached in %.1fs" % timeout)
            time.sleep(interval)

    # ---- the PAM API (for tests that talk to the mock directly) ----
    def checkout(self, token, runhost, duration=60, reason="test", emailid="test@example.com"):
        body = {"Request": {"type": "PasswordCheckout", "runHost": runhost, "reason": reason,
                            "duration": duration, "emailid": emailid}}
        st, _, data = self.request("POST", "/rest/cmdctrl/Request", body,
                                   {"Authorization": "Token token=%s" % token,
                                    "Cache-Control": "no-cache"})
        return st, _loads(data)

    def checkin(self, token, rid, runhost, id_in="path"):
        req = {"type": "PasswordCheckin", "runHost": runhost}
        if id_in in ("body", "both"):
            req["id"] = rid
        path = "/rest/cmdctrl/Request" + ("/" + rid if id_in in ("path", "both") else "")
        st, _, data = self.request("PUT", path, {"Request": req},
                                   {"Authorization": "Token token=%s" % token,
                                    "Cache-Control": "no-cache"})
        return st, _loads(data)


def _loads(data):
    try:
        return json.loads(data.decode())
    except (ValueError, UnicodeDecodeError):
        return data


_default = MockPam()


def configure(url=None, cafile=None, timeout=10.0):
    """Set the default target used by the module-level functions."""
    global _default
    _default = MockPam(url, cafile, timeout)
    return _default


def wait_port(port_file, timeout=10.0, proc=None):
    """Wait for mockpam's --port-file; returns the port. proc: optional Popen
    of the mock, to fail fast if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(port_file) as fh:
                txt = fh.read().strip()
            if txt.isdigit():
                return int(txt)
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise MockPamError("mockpam exited with status %s before listening" % proc.returncode)
        if time.monotonic() >= deadline:
            raise MockPamError("no port in %s after %.1fs" % (port_file, timeout))
        time.sleep(0.02)


def state():
    return _default.state()


def fault(mode, on="any", count=1, delay=None):
    return _default.fault(mode, on, count, delay)


def clear_faults():
    return _default.clear_faults()


def reset():
    return _default.reset()


def checkin_all():
    return _default.checkin_all()


def outstanding():
    return _default.outstanding()


def wait_until(pred, timeout=5.0, interval=0.05):
    return _default.wait_until(pred, timeout, interval)


def _main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="control a running mockpam")
    ap.add_argument("--url", help="default $MOCKPAM_URL")
    ap.add_argument("--ca", help="default $MOCKPAM_CA")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for c in ("state", "outstanding", "reset", "checkin-all", "clear-faults"):
        sub.add_parser(c)
    f = sub.add_parser("fault")
    f.add_argument("mode")
    f.add_argument("--on", default="any")
    f.add_argument("--count", type=int, default=1)
    f.add_argument("--delay", type=float)
    ps = sub.add_parser("password-style")
    ps.add_argument("style")
    w = sub.add_parser("wait-port")
    w.add_argument("file")
    w.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "wait-port":
            print(wait_port(a.file, a.timeout))
            return 0
        m = MockPam(a.url, a.ca)
        if a.cmd == "state":
            out = m.state()
        elif a.cmd == "outstanding":
            out = m.outstanding()
        elif a.cmd == "reset":
            out = m.reset()
        elif a.cmd == "checkin-all":
            out = {"checked_in": m.checkin_all()}
        elif a.cmd == "clear-faults":
            out = m.clear_faults()
        elif a.cmd == "password-style":
            out = m.password_style(a.style)
        else:
            out = m.fault(a.mode, a.on, a.count, a.delay)
    except (MockPamError, OSError) as e:
        sys.stderr.write("mockpam_client: %s\n" % e)
        return 1
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
