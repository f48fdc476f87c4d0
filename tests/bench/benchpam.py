#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""benchpam.py - the PAM of the connect benchmark (docs/benchmarks.md).

A PAM on loopback TLS that answers from memory: every checkout gets the
one account and password of its configuration (the benchmark's PostgreSQL
login), every check-in is accepted.  Nothing is rotated, no database is
touched, so a connect pays only credshim's own side of the exchanges.
HTTP/1.1 keep-alive, so credshim's connection pool is what is measured.

    benchpam.py --config CFG --port-file F --tls-cert C --tls-key K

CFG is JSON: {"token": "...", "account": "...", "passwd": "..."} (a 0600
file: it holds the password).  The port (picked by the system) is written
to F once the server listens.  GET /_bench/state (no token) answers the
counters: connections and tls_handshakes (of connections that carried an API
request: the state queries are not counted), connections_total, checkouts,
checkins, requests.
--log F: a line per request with the serial number of its connection.
SIGTERM ends it.
"""
import argparse
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading

STATE = {"connections": 0, "tls_handshakes": 0, "connections_total": 0, "checkouts": 0, "checkins": 0,
         "requests": 0}
LOCK = threading.Lock()
CFG = {}
LOG = None
PATH = "/rest/cmdctrl/Request"


def count(name):
    with LOCK:
        STATE[name] += 1


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log_request(self, code="-", size="-"):
        if LOG:
            LOG.write("conn=%d %s %s %s\n" % (self.server.serial(self.connection), self.command,
                                               self.path, code))
            LOG.flush()

    def reply(self, obj, http_status=200):
        body = json.dumps(obj).encode()
        self.send_response(http_status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > 65536:
            return None
        try:
            return json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            return None

    def authorized(self):
        auth = self.headers.get("Authorization") or ""
        return auth in ("Token token=" + CFG["token"], 'Token token="%s"' % CFG["token"])

    def do_GET(self):
        if self.path == "/_bench/state":
            with LOCK:
                self.reply(dict(STATE))
            return
        self.reply({"message": "not found", "status": 404}, 404)

    def api_request(self):
        """Counts the request, and its connection at its first API request
        (a TLS connection has one handshake)."""
        count("requests")
        if not getattr(self, "api_seen", False):
            self.api_seen = True
            count("connections")
            count("tls_handshakes")

    def do_POST(self):
        self.api_request()
        req = self.body()
        if self.path != PATH or not isinstance(req, dict):
            self.reply({"message": "bad request", "status": 400}, 400)
            return
        if not self.authorized():
            self.reply({"message": "Invalid token", "status": 401}, 401)
            return
        with LOCK:
            STATE["checkouts"] += 1
            rid = "bench-%d" % STATE["checkouts"]
        self.reply({"CheckOut": {"Request": {"id": rid}, "account": CFG["account"],
                                 "passwd": CFG["passwd"]},
                    "message": "OK", "status": 200, "vrm": "3.5.0"})

    def do_PUT(self):
        self.api_request()
        req = self.body()
        if not self.path.startswith(PATH) or not isinstance(req, dict):
            self.reply({"message": "bad request", "status": 400}, 400)
            return
        if not self.authorized():
            self.reply({"message": "Invalid token", "status": 401}, 401)
            return
        count("checkins")
        self.reply({"message": "OK", "status": 200, "vrm": "3.5.0"})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    ctx = None
    serials = {}

    def serial(self, sock):
        return self.serials.get(id(sock), 0)

    def get_request(self):
        sock, addr = self.socket.accept()
        count("connections_total")
        sock.settimeout(30)
        tls = self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with LOCK:
            self.serials[id(tls)] = STATE["connections_total"]
        return tls, addr

    def finish_request(self, request, client_address):
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls-cert", required=True)
    ap.add_argument("--tls-key", required=True)
    ap.add_argument("--log", help="one line per request: connection serial, method, path, status")
    a = ap.parse_args()
    global LOG
    if a.log:
        LOG = open(a.log, "a")
    with open(a.config) as fh:
        CFG.update(json.load(fh))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.tls_cert, a.tls_key)
    Server.ctx = ctx
    srv = Server(("127.0.0.1", 0), Handler)
    srv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
