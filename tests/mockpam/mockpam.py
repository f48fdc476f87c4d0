#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""mockpam: a mock PAM (privileged access manager) credential checkout server.

Implements the REST API described in docs/pam-protocol.md:
PasswordCheckout / PasswordCheckin under
/rest/cmdctrl/Request, plus a token-less control API under /_mock/ for tests.

Standard library only; run with /usr/bin/python3.  When --pg-host is given,
passwords are pushed to PostgreSQL through one kept `psql` session (no psycopg2);
with --db mariadb, to MariaDB with `mariadb` client subprocesses.
See README.md next to this file.
"""

import argparse
import base64
import collections
import hashlib
import hmac
import http.server
import ipaddress
import json
import math
import os
import re
import secrets
import select
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

VRM = "3.5.0"
API_PATH = "/rest/cmdctrl/Request"
MAX_BODY = 64 * 1024          # request bodies larger than this are refused (413)
DRAIN_MAX = 4 * 1024 * 1024   # an oversized body up to this size is read and dropped
RING_SIZE = 200               # request log ring in /_mock/state
MAX_FAULTS = 32
MAX_CONNECTIONS = 256         # concurrent connections; more are closed at once
SOCKET_TIMEOUT = 30           # seconds a TLS handshake or a request read may take
                              # (a client under valgrind on a busy machine is slow)
MAX_DURATION_MIN = 525600.0   # one year of minutes
OVERSIZED_BYTES = 2 * 1024 * 1024
DEEP_LEVELS = 100

FAULT_MODES = ("http500", "http502-html", "http401", "http403", "http409", "slow",
               "malformed_json", "truncated_json", "html", "drop",
               "oversized", "body403", "body409", "missing_passwd",
               "deep_json", "wrong_passwd")
CHECKOUT_ONLY_MODES = ("missing_passwd", "wrong_passwd")
# Faults after a real checkout (the credential stays out at the mock, as a
# real PAM would keep it): the answer is cut off mid-body, never sent,
# announced with a Content-Length 100 bytes too long, or stalled for
# "delay" seconds (or until the client goes) and then dropped; held_late:
# the whole answer after "delay" seconds, whether the client waited or not.
HELD_MODES = ("held_drop", "held_empty", "held_long", "held_stall", "held_late")
# Hostile answers: "value" is the request id, the account or the message;
# echo_token quotes the caller's own token, "value" says which part of it:
# head (first 24), tail (last 24), middle (24 from the middle) or whole.
HOSTILE_MODES = ("bad_id", "bad_account", "message", "echo_token")
FAULT_MODES += HELD_MODES + HOSTILE_MODES
CHECKOUT_ONLY_MODES += ("bad_id", "bad_account") + HELD_MODES
FAULT_ON = ("checkout", "checkin", "any")

# Hostile characters every generated password contains at least once.
HOSTILE = ";}{='\" %"
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

_rng = secrets.SystemRandom()
_tls = threading.local()       # per-connection info for the handler thread


# Password styles (--password-style, POST /_mock/password-style): the
# characters every password of the style contains at least once, and the
# pool the rest is drawn from (with ALNUM).  "symbols" has nothing that makes
# a connection-string value need braces (; { } = or a blank at either end),
# so only a target string that braces every password gets it through
# psqlODBC, which percent-decodes an unbraced one ('+' and '%').
PASSWORD_STYLES = {
    "hostile": HOSTILE,
    "symbols": "+%&#!~^*",
    "spaces": "a b+c%d e",
    "utf8": "\u00e9\u00df\u00fc\u00f8\u65e5\u672c\u20ac",
    "mixed": HOSTILE + "+&#!~^*\u00e9\u65e5",
}


def gen_password(length=24, edge_blanks=True, style="hostile"):
    """Random password with letters, digits and every char of the style.

    edge_blanks=False: never a blank first or last (see MariaDb)."""
    special = PASSWORD_STYLES[style]
    chars = list(special)
    pool = ALNUM + special
    chars += [_rng.choice(ALNUM) for _ in range(4)]   # at least some alnum
    while len(chars) < length:
        chars.append(_rng.choice(pool))
    while True:
        _rng.shuffle(chars)
        if edge_blanks or (chars[0] != " " and chars[-1] != " "):
            return "".join(chars)


def scram_verifier(password, iterations=4096):
    """PostgreSQL SCRAM-SHA-256 secret for password (ASCII: SASLprep is identity).

    ALTER ROLE ... PASSWORD '<verifier>' stores it as is, so the plaintext
    never reaches the server (or its statement log)."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    b64 = lambda b: base64.b64encode(b).decode("ascii")
    return "SCRAM-SHA-256$%d:%s$%s:%s" % (iterations, b64(salt), b64(stored_key), b64(server_key))


def quote_ident(name):
    if "\0" in name:
        raise ValueError("NUL in identifier")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value):
    """SQL string literal, correct whatever standard_conforming_strings is."""
    if "\0" in value:
        raise ValueError("NUL in literal")
    if "\\" in value:
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + value.replace("'", "''") + "'"


def printable(s, limit=200):
    """Make an attacker-controlled string safe for a one-line log."""
    if s is None:
        return "-"
    s = str(s)[:limit]
    return "".join(c if 32 <= ord(c) < 127 and c != "\\" else "\\x%02x" % (ord(c) & 0xFF)
                   if ord(c) < 256 else "\\u%04x" % (ord(c) & 0xFFFF) for c in s)


class Logger:
    def __init__(self, path, verbose=False):
        self.lock = threading.Lock()
        self.verbose = verbose
        self.fh = open(path, "a", buffering=1, encoding="utf-8") if path else None

    def log(self, msg):
        line = "%s %s" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), msg)
        with self.lock:
            if self.fh:
                try:
                    self.fh.write(line + "\n")
                except OSError:
                    pass
            if self.verbose:
                sys.stderr.write("mockpam: " + line + "\n")

    def close(self):
        with self.lock:
            if self.fh:
                self.fh.close()
                self.fh = None


class Pg:
    """Sets role passwords on PostgreSQL through one psql session.

    The session (psql reading statements from a pipe) is started at the
    first change and kept: a psql process and a login per change cost
    tens of milliseconds each, hundreds of times per test.  After each
    statement psql echoes a marker with its ERROR and SQLSTATE variables;
    whatever it printed before the marker is the error text.  A session
    that died is started again once; one that does not answer within the
    timeout is killed."""

    name = "PostgreSQL"
    edge_blanks = True

    def __init__(self, host, port, admin, database, psql="psql", plaintext=False,
                 timeout=15.0, log=None):
        self.host, self.port, self.admin, self.database = host, port, admin, database
        self.psql, self.plaintext, self.timeout, self.log = psql, plaintext, timeout, log
        self.proc, self.seq, self.plock = None, 0, threading.Lock()

    def _start(self):
        cmd = [self.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-f", "-"]
        for opt, val in (("-h", self.host), ("-p", self.port), ("-U", self.admin),
                         ("-d", self.database)):
            if val:
                cmd += [opt, str(val)]
        env = dict(os.environ)
        env.setdefault("PGCONNECT_TIMEOUT", "5")
        env.pop("PGOPTIONS", None)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, bufsize=0)

    def _stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def _run(self, sql):
        """Sends sql; returns (state, output before the marker): state is
        "ok", "error", "dead" (EOF) or "timeout"."""
        self.seq += 1
        mark = b"__mockpam_%d__" % self.seq
        try:
            self.proc.stdin.write(sql.encode() + b"\\echo " + mark + b" :ERROR\n")
        except OSError:
            return "dead", b""
        out, end = b"", time.monotonic() + self.timeout
        fd = self.proc.stdout.fileno()
        while True:
            i = out.find(mark + b" ")
            if i >= 0 and out.find(b"\n", i) >= 0:
                tail = out[i + len(mark) + 1:out.find(b"\n", i)]
                return ("ok" if tail.strip() == b"false" else "error"), out[:i]
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return "timeout", out
            chunk = os.read(fd, 65536)
            if not chunk:
                return "dead", out
            out += chunk

    def set_password(self, account, password):
        """Returns None on success, else a (redacted) error string."""
        secret = password if self.plaintext else scram_verifier(password)
        sql = "ALTER ROLE %s PASSWORD %s;\n" % (quote_ident(account), quote_literal(secret))
        with self.plock:
            for _ in range(2):
                if self.proc is None or self.proc.poll() is not None:
                    try:
                        self._start()
                    except OSError as e:
                        self.proc = None
                        return "cannot run psql: %s" % e
                state, out = self._run(sql)
                if state == "ok":
                    return None
                if state != "dead":
                    break
                self._stop()
            if state == "timeout":
                self._stop()
                return "psql timed out"
            if state == "dead":
                self._stop()
            err = out.decode("utf-8", "replace").replace(secret, "***").replace(password, "***")
            err = " | ".join(l for l in err.splitlines() if l.strip())
            return "psql %s: %s" % ("ended" if state == "dead" else "error", printable(err, 400))


def mysql_native_hash(password):
    """MariaDB mysql_native_password hash of password: '*' + hex(SHA1(SHA1(pw))).

    ALTER USER ... IDENTIFIED BY PASSWORD '<hash>' stores it as is, so the
    plaintext never reaches the server (or its query log)."""
    inner = hashlib.sha1(password.encode("utf-8")).digest()
    return "*" + hashlib.sha1(inner).hexdigest().upper()


def mariadb_literal(value):
    """MariaDB string literal ('\\' is an escape character there by default)."""
    if "\0" in value:
        raise ValueError("NUL in literal")
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


class MariaDb:
    """Sets account passwords on MariaDB through `mariadb` client subprocesses.

    An account "name" is the MariaDB account 'name'@'%'; "name@host" names
    'name'@'host'.  The admin logs in over the server's unix socket."""

    name = "MariaDB"
    # MariaDB Connector/ODBC 3.1 strips blanks at both ends of a PWD value,
    # braces or not, so such a password cannot log in through it (directly
    # either): the mock's password policy leaves them out here.
    edge_blanks = False

    def __init__(self, socket_path, admin, client="mariadb", plaintext=False,
                 timeout=15.0, log=None):
        self.socket_path, self.admin, self.client = socket_path, admin, client
        self.plaintext, self.timeout, self.log = plaintext, timeout, log

    def set_password(self, account, password):
        """Returns None on success, else a (redacted) error string."""
        user, _, host = account.partition("@")
        host = host or "%"
        if self.plaintext:
            how = "BY %s" % mariadb_literal(password)
        else:
            how = "BY PASSWORD %s" % mariadb_literal(mysql_native_hash(password))
        sql = "ALTER USER %s@%s IDENTIFIED %s;\n" % (mariadb_literal(user), mariadb_literal(host), how)
        cmd = [self.client, "--no-defaults", "--batch", "-S", self.socket_path]
        if self.admin:
            cmd += ["-u", self.admin]
        try:
            r = subprocess.run(cmd, input=sql, capture_output=True, text=True,
                               timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return "mariadb client timed out"
        except OSError as e:
            return "cannot run the mariadb client: %s" % e
        if r.returncode != 0:
            err = (r.stderr or "").replace(password, "***")
            err = " | ".join(l for l in err.splitlines() if l.strip())
            return "mariadb exit %d: %s" % (r.returncode, printable(err, 400))
        return None


class Checkout:
    __slots__ = ("id", "runhost", "account", "token_hash", "created", "expires", "duration")

    def __init__(self, rid, runhost, account, token_hash, duration, expires_in):
        self.id = rid
        self.runhost = runhost
        self.account = account
        self.token_hash = token_hash
        self.duration = duration
        self.created = time.monotonic()
        self.expires = self.created + expires_in


def token_hash(tok):
    return hashlib.sha256(tok.encode("utf-8", "surrogateescape")).hexdigest()


class Pam:
    """The mock PAM's state. All mutations under self.lock; psql runs outside it."""

    COUNTERS = ("checkouts", "checkins", "auto_checkins", "forced_checkins",
                "rotation_failures", "connections", "connections_total",
                "tls_handshakes", "tls_handshakes_total", "tls_resumed",
                "tls_failures", "faults_fired", "requests_total",
                "refused_connections", "client_gone", "undone_checkouts")

    def __init__(self, config, pg, minute_seconds, grace, strict_fields, log,
                 expose_passwords=False):
        self.lock = threading.Lock()
        self.pg = pg
        self.edge_blanks = getattr(pg, "edge_blanks", True)
        self.password_style = "hostile"
        self.minute_seconds = minute_seconds
        self.grace = grace
        self.strict_fields = strict_fields
        self.log = log
        self.tokens = list(config["tokens"])
        self.runhosts = {}
        for name, rh in config["runhosts"].items():
            toks = rh.get("tokens")
            self.runhosts[name] = {"accounts": list(rh["accounts"]),
                                   "tokens": set(toks) if toks is not None else None}
        self.busy = set()                 # accounts checked out or being rotated
        self.outstanding = collections.OrderedDict()   # id -> Checkout
        self.next_id = _rng.randrange(100000, 900000)
        self.next_fault_id = 1
        self.counters = dict.fromkeys(self.COUNTERS, 0)
        self.faults = []
        self.ring = collections.deque(maxlen=RING_SIZE)
        self.stop = threading.Event()
        self.started = time.time()
        # --expose-passwords (tests only): id -> (account, password) of the
        # last RING_SIZE real checkouts, served by GET /_mock/issued.
        self.expose_passwords = expose_passwords
        self.issued = collections.OrderedDict()

    # ---- helpers -------------------------------------------------------
    def bump(self, name, n=1):
        with self.lock:
            self.counters[name] += n

    def check_token(self, tok):
        if tok is None:
            return False
        ok = False
        for t in self.tokens:
            if hmac.compare_digest(t.encode("utf-8", "surrogateescape"),
                                   tok.encode("utf-8", "surrogateescape")):
                ok = True
        return ok

    def take_fault(self, kind):
        """Consume and return the first fault matching kind ('checkout'/'checkin')."""
        with self.lock:
            for f in self.faults:
                if f["on"] not in (kind, "any"):
                    continue
                if kind != "checkout" and f["mode"] in CHECKOUT_ONLY_MODES:
                    continue
                if f["count"] > 0:
                    f["count"] -= 1
                f["fired"] += 1
                self.counters["faults_fired"] += 1
                if f["count"] == 0:
                    self.faults.remove(f)
                return dict(f)
        return None

    def add_fault(self, spec):
        with self.lock:
            if len(self.faults) >= MAX_FAULTS:
                raise ValueError("too many faults queued (max %d)" % MAX_FAULTS)
            spec["fired"] = 0
            spec["fault_id"] = self.next_fault_id
            self.next_fault_id += 1
            self.faults.append(spec)
            return [dict(f) for f in self.faults]

    def reset(self):
        with self.lock:
            self.faults = []
            self.counters = dict.fromkeys(self.COUNTERS, 0)
            self.ring.clear()

    def record(self, entry):
        with self.lock:
            self.counters["requests_total"] += 1
            self.ring.append(entry)

    def state(self):
        now = time.monotonic()
        with self.lock:
            out = [{"id": c.id, "runHost": c.runhost, "account": c.account,
                    "age_s": round(now - c.created, 3),
                    "expires_in_s": round(c.expires - now, 3),
                    "duration": c.duration}
                   for c in self.outstanding.values()]
            st = {"outstanding": out}
            st.update(self.counters)
            st["faults"] = [dict(f) for f in self.faults]
            st["busy_accounts"] = sorted(self.busy)
            st["requests"] = list(self.ring)
            st["minute_seconds"] = self.minute_seconds
            st["pg"] = isinstance(self.pg, Pg)
            st["db"] = self.pg.name if self.pg is not None else None
            st["uptime_s"] = round(time.time() - self.started, 3)
        return st

    # ---- protocol operations --------------------------------------------
    def checkout(self, tok, runhost, duration):
        """Returns (body_status, message, Checkout-or-None, password-or-None)."""
        rh = self.runhosts.get(runhost)
        if rh is None or (rh["tokens"] is not None and tok not in rh["tokens"]):
            return 403, "access denied", None, None
        with self.lock:
            account = next((a for a in rh["accounts"] if a not in self.busy), None)
            if account is None:
                return 409, "All credentials in use", None, None
            self.busy.add(account)
            rid = str(self.next_id)
            self.next_id += 1
        password = gen_password(edge_blanks=self.edge_blanks, style=self.password_style)
        if self.pg is not None:
            err = self.pg.set_password(account, password)
            if err:
                self.log.log("checkout set-password FAILED account=%s: %s" % (printable(account), err))
                with self.lock:
                    self.busy.discard(account)
                return 500, "Failed to set password on target", None, None
        co = Checkout(rid, runhost, account, token_hash(tok), duration,
                      duration * self.minute_seconds + self.grace)
        with self.lock:
            self.outstanding[rid] = co
            self.counters["checkouts"] += 1
            if self.expose_passwords:
                self.issued[rid] = (account, password)
                while len(self.issued) > RING_SIZE:
                    self.issued.popitem(last=False)
        self.log.log("checkout id=%s runHost=%s account=%s duration=%s" %
                     (rid, printable(runhost), printable(account), duration))
        return 200, "OK", co, password

    def _release(self, co, kind):
        """co was already removed from outstanding: rotate and free its account."""
        err = None
        if self.pg is not None:
            err = self.pg.set_password(co.account, gen_password(32, self.edge_blanks))
            if err:
                self.log.log("rotate FAILED account=%s: %s" % (printable(co.account), err))
        with self.lock:
            self.busy.discard(co.account)
            self.counters[kind] += 1
            if err:
                self.counters["rotation_failures"] += 1
        self.log.log("%s id=%s runHost=%s account=%s" %
                     (kind[:-1].replace("_", "-"), co.id, printable(co.runhost), printable(co.account)))

    def checkin(self, tok, rid, runhost):
        with self.lock:
            co = self.outstanding.get(rid)
            if co is None or co.runhost != runhost:
                return 404, "No such request"
            if co.token_hash != token_hash(tok):
                return 403, "access denied"
            del self.outstanding[rid]
        self._release(co, "checkins")
        return 200, "OK"

    def undo_checkout(self, co):
        """The success response could not be delivered: take it back."""
        with self.lock:
            if self.outstanding.pop(co.id, None) is None:
                return
            self.counters["client_gone"] += 1
        self.log.log("checkout id=%s undone: client gone" % co.id)
        self._release(co, "undone_checkouts")

    def issued_list(self):
        with self.lock:
            return [{"id": rid, "account": a, "passwd": p} for rid, (a, p) in self.issued.items()]

    def checkin_all(self, kind="forced_checkins"):
        with self.lock:
            cos = list(self.outstanding.values())
            self.outstanding.clear()
        for co in cos:
            self._release(co, kind)
        return len(cos)

    def expiry_loop(self):
        while not self.stop.wait(0.05):
            now = time.monotonic()
            with self.lock:
                due = [c for c in self.outstanding.values() if c.expires <= now]
                for c in due:
                    del self.outstanding[c.id]
            for c in due:
                self._release(c, "auto_checkins")

    def rotate_all_accounts(self):
        """Startup: give every configured account a password nobody knows."""
        if self.pg is None:
            return []
        errs = []
        seen = set()
        for rh in self.runhosts.values():
            for a in rh["accounts"]:
                if a in seen:
                    continue
                seen.add(a)
                err = self.pg.set_password(a, gen_password(32, self.edge_blanks))
                if err:
                    errs.append("%s: %s" % (a, err))
        return errs


class ConnInfo:
    __slots__ = ("serial", "tls", "api_counted", "resumed")

    def __init__(self, serial, tls):
        self.serial, self.tls, self.api_counted, self.resumed = serial, tls, False, False


class BadRequest(Exception):
    def __init__(self, code, message, close=False):
        super().__init__(message)
        self.code, self.message, self.close = code, message, close


def _no_constants(name):
    raise ValueError("JSON constant %s not allowed" % name)


def parse_json(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(400, "Body is not UTF-8")
    try:
        return json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise BadRequest(400, "Malformed JSON body")


NUM_RE = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,6})?$")


def parse_duration(v):
    if isinstance(v, bool) or v is None:
        raise BadRequest(400, "Invalid duration")
    if isinstance(v, (int, float)):
        d = float(v)
    elif isinstance(v, str) and NUM_RE.match(v):
        d = float(v)
    else:
        raise BadRequest(400, "Invalid duration")
    if not math.isfinite(d) or d <= 0 or d > MAX_DURATION_MIN:
        raise BadRequest(400, "Invalid duration")
    return d


def html_page(title, text):
    return ("<!DOCTYPE html>\n<html><head><title>%s</title></head>\n"
            "<body><center><h1>%s</h1></center><hr><center>%s</center></body></html>\n"
            % (title, title, text)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mockpam/1.0"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are closed after this (set from CLI)

    # ---- plumbing ------------------------------------------------------
    @property
    def pam(self):
        return self.server.pam

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # keep stderr quiet; we log ourselves
        pass

    def send_json(self, code, obj, close=False):
        self.send_raw(code, json.dumps(obj).encode(), "application/json", close)

    def send_raw(self, code, body, ctype, close=False, length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("Cache-Control", "no-store")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
        self._status = code

    def hard_close(self):
        """Close the TCP connection abruptly, without a (TLS) goodbye."""
        self.close_connection = True
        try:
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
        except OSError:
            pass

    def client_gone(self):
        """True if the peer closed (or sent anything, which our clients do not
        do while waiting for a response: e.g. a TLS close_notify)."""
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
        except (OSError, ValueError):
            return True
        if not r:
            return False
        try:
            data = socket.socket.recv(self.connection, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return True
        return True if not data or self.connection_is_tls() else False

    def connection_is_tls(self):
        return isinstance(self.connection, ssl.SSLSocket)

    def read_body(self):
        te = self.headers.get("Transfer-Encoding")
        if te is not None:
            if te.strip().lower() != "chunked":
                raise BadRequest(501, "Unsupported Transfer-Encoding", close=True)
            return self.read_chunked()
        cls = self.headers.get_all("Content-Length") or []
        if not cls:
            return b""
        if len(set(v.strip() for v in cls)) != 1 or not cls[0].strip().isdigit():
            raise BadRequest(400, "Bad Content-Length", close=True)
        n = int(cls[0].strip())
        if n > MAX_BODY:
            self.discard(n)
            raise BadRequest(413, "Request body too large", close=True)
        data = self.rfile.read(n)
        if len(data) != n:
            raise BadRequest(400, "Short body", close=True)
        return data

    def discard(self, n, limit=DRAIN_MAX):
        """Read and drop up to limit bytes of an oversized body so the client
        (which sends it all before reading) sees our 413 instead of a reset."""
        n = min(n, limit)
        while n > 0:
            chunk = self.rfile.read(min(n, 65536))
            if not chunk:
                break
            n -= len(chunk)

    def read_chunked(self):
        out = bytearray()
        while True:
            line = self.rfile.readline(100)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BadRequest(400, "Bad chunk", close=True)
            if size < 0 or len(out) + size > MAX_BODY:
                raise BadRequest(413, "Request body too large", close=True)
            if size == 0:
                while True:  # trailers
                    t = self.rfile.readline(1000)
                    if t in (b"\r\n", b"\n", b""):
                        return bytes(out)
            chunk = self.rfile.read(size)
            if len(chunk) != size:
                raise BadRequest(400, "Short chunk", close=True)
            out += chunk
            self.rfile.readline(3)

    def get_token(self):
        auth = self.headers.get("Authorization")
        if auth is None:
            return None
        m = re.match(r"^\s*Token\s+token=(.*)$", auth, re.S)
        if not m:
            return None
        tok = m.group(1).strip(" \t")
        # token="..." (quoted form) is accepted too, unless the raw value is a token
        if len(tok) >= 2 and tok[0] == tok[-1] == '"' and not self.pam.check_token(tok):
            tok = tok[1:-1]
        return tok

    # ---- dispatch ------------------------------------------------------
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_HEAD(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def dispatch(self, method):
        self._status = 0
        raw_path = self.path
        path = raw_path.split("?", 1)[0]
        try:
            if path.startswith("/_mock/"):
                return self.control(method, path)
            if path == API_PATH or path.startswith(API_PATH + "/"):
                return self.api(method, path)
            try:
                self.read_body()
            except BadRequest as e:
                return self.send_json(e.code, {"message": e.message, "status": e.code}, close=True)
            self.send_json(404, {"message": "Not Found", "status": 404})
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            self.close_connection = True
        finally:
            if not path.startswith(API_PATH) and \
                    path not in ("/_mock/state", "/_mock/health"):  # polling: not logged
                self.server.log.log("conn=%d %s %s %s" % (_conn().serial, method,
                                                          printable(raw_path), self._status))

    # ---- the PAM API ---------------------------------------------------
    def api(self, method, path):
        pam = self.pam
        ci = _conn()
        if not ci.api_counted:
            ci.api_counted = True
            pam.bump("connections")
            if ci.tls:
                pam.bump("tls_handshakes")
                if ci.resumed:
                    pam.bump("tls_resumed")
        tok = self.get_token()
        entry = {"t": round(time.time(), 3), "conn": ci.serial, "method": method,
                 "path": printable(self.path), "status": 0, "body_status": None,
                 "token_ok": pam.check_token(tok),
                 "content_type": self.headers.get("Content-Type"),
                 "cache_control": self.headers.get("Cache-Control"),
                 "runHost": None, "duration_raw": None, "body_keys": None,
                 "top_keys": None, "id": None, "fault": None, "body_len": None}
        self._entry = entry
        try:
            self.api_inner(method, path, tok, entry)
        except BadRequest as e:
            self.send_json(e.code, {"message": e.message, "status": e.code}, close=e.close)
            entry["body_status"] = e.code
        finally:
            entry["status"] = self._status
            pam.record(entry)
            self.server.log.log("conn=%d %s %s %s body=%s runHost=%s id=%s fault=%s" % (
                ci.serial, method, printable(self.path), self._status,
                entry["body_status"], printable(entry["runHost"], 100),
                printable(entry["id"], 64), entry["fault"] or "-"))

    def api_inner(self, method, path, tok, entry):
        pam = self.pam
        if method == "POST" and path == API_PATH:
            kind = "checkout"
        elif method == "PUT":
            kind = "checkin"
        else:
            self.read_body()
            self.send_response(405)
            self.send_header("Allow", "POST" if path == API_PATH else "PUT")
            body = json.dumps({"message": "Method Not Allowed", "status": 405}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self._status = 405
            entry["body_status"] = 405
            return
        raw = self.read_body()
        entry["body_len"] = len(raw)
        # Best-effort description of the body for the request log (never values
        # other than runHost, duration and id).
        body = None
        try:
            body = json.loads(raw.decode("utf-8"), parse_constant=_no_constants) if raw else None
        except Exception:
            body = None
        req = body.get("Request") if isinstance(body, dict) else None
        if isinstance(body, dict):
            entry["top_keys"] = list(body.keys())[:20]
        if isinstance(req, dict):
            entry["body_keys"] = list(req.keys())[:20]
            rh = req.get("runHost")
            entry["runHost"] = rh[:200] if isinstance(rh, str) else None
            d = req.get("duration")
            entry["duration_raw"] = d[:50] if isinstance(d, str) else (
                d if isinstance(d, (int, float, bool)) or d is None else repr(type(d)))

        fault = pam.take_fault(kind)
        self._held = None
        if fault is not None:
            entry["fault"] = fault["mode"]
            if fault["mode"] == "slow":
                deadline = time.monotonic() + fault["delay"]
                while time.monotonic() < deadline:
                    time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
                    if self.client_gone():
                        pam.bump("client_gone")
                        self.hard_close()
                        return
            elif fault["mode"] in HELD_MODES:     # (do_checkout's part)
                self._held = fault
            elif fault["mode"] in HOSTILE_MODES:
                return self.send_hostile(fault, tok, entry)
            elif fault["mode"] != "wrong_passwd":   # (do_checkout's part)
                return self.send_fault(fault["mode"], kind, entry)

        if not entry["token_ok"]:
            entry["body_status"] = 401
            return self.send_json(401, {"message": "Invalid token", "status": 401})
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise BadRequest(400, "Content-Type must be application/json")
        body = parse_json(raw)
        if not isinstance(body, dict) or not isinstance(body.get("Request"), dict):
            raise BadRequest(400, "Missing Request object")
        req = body["Request"]
        rh = req.get("runHost")
        if not isinstance(rh, str) or not rh:
            raise BadRequest(400, "Missing runHost")
        if kind == "checkout":
            self.do_checkout(tok, req, rh, entry)
        else:
            self.do_checkin(tok, req, rh, path, entry)

    def do_checkout(self, tok, req, rh, entry):
        pam = self.pam
        if req.get("type") != "PasswordCheckout":
            raise BadRequest(400, "Invalid request type")
        if "duration" not in req:
            raise BadRequest(400, "Missing duration")
        duration = parse_duration(req["duration"])
        for f in ("reason", "emailid"):
            if f in req and not isinstance(req[f], str):
                raise BadRequest(400, "Invalid %s" % f)
            if pam.strict_fields and not req.get(f):
                raise BadRequest(400, "Missing %s" % f)
        if "id" in req:
            raise BadRequest(400, "Unexpected id in checkout")
        status, message, co, password = pam.checkout(tok, rh, duration)
        entry["body_status"] = status
        if co is None:
            return self.send_json(500 if status == 500 else 200,
                                  {"message": message, "status": status})
        entry["id"] = co.id
        if self._held is not None:
            password = None
            return self.send_held(self._held, co)
        if entry["fault"] == "wrong_passwd":
            # A real checkout whose answer holds a password the database
            # does not have: the target refuses the login.
            password = gen_password(edge_blanks=pam.edge_blanks, style=pam.password_style)
        try:
            self.send_json(200, {"CheckOut": {"Request": {"id": co.id},
                                              "account": co.account, "passwd": password},
                                 "message": "OK", "status": 200, "vrm": VRM})
        except (OSError, ssl.SSLError):
            pam.undo_checkout(co)
            self.close_connection = True
            raise
        finally:
            password = None

    def do_checkin(self, tok, req, rh, path, entry):
        if req.get("type") != "PasswordCheckin":
            raise BadRequest(400, "Invalid request type")
        path_id = None
        if path.startswith(API_PATH + "/"):
            path_id = urllib.parse.unquote(path[len(API_PATH) + 1:]) or None
            if path_id is not None and "/" in path_id:
                raise BadRequest(404, "Not Found")
        body_id = req.get("id")
        if body_id is None:
            pass
        elif isinstance(body_id, bool) or not isinstance(body_id, (str, int)):
            raise BadRequest(400, "Invalid id")
        else:
            body_id = str(body_id)
        if path_id is not None and body_id is not None and path_id != body_id:
            raise BadRequest(400, "Request id mismatch")
        rid = path_id if path_id is not None else body_id
        if not rid:
            raise BadRequest(400, "Missing request id")
        entry["id"] = rid[:64]
        status, message = self.pam.checkin(tok, rid, rh)
        entry["body_status"] = status
        if status == 200:
            return self.send_json(200, {"message": "OK", "status": 200, "vrm": VRM})
        return self.send_json(200, {"message": message, "status": status})

    # ---- faults ----------------------------------------------------------
    def fake_checkout(self):
        n = _rng.randrange(1, 10 ** 6)
        return {"CheckOut": {"Request": {"id": "fault-%d" % n}, "account": "fault_account",
                             "passwd": gen_password()},
                "message": "OK", "status": 200, "vrm": VRM}

    def ok_body(self, kind):
        return self.fake_checkout() if kind == "checkout" else \
            {"message": "OK", "status": 200, "vrm": VRM}

    def send_held(self, fault, co):
        """A real checkout (co stays out) whose answer never arrives whole."""
        mode = fault["mode"]
        body = json.dumps({"CheckOut": {"Request": {"id": co.id}, "account": co.account,
                                        "passwd": gen_password()},
                           "message": "OK", "status": 200, "vrm": VRM}).encode()
        self._status = 200
        if mode == "held_stall":
            deadline = time.monotonic() + fault["delay"]
            while time.monotonic() < deadline and not self.client_gone():
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
            return self.hard_close()
        if mode == "held_empty":
            return self.hard_close()
        if mode == "held_late":
            time.sleep(fault["delay"])
            try:
                self.send_json(200, json.loads(body), close=True)
            except (OSError, ssl.SSLError):
                self.close_connection = True   # gone: the account stays out
            return None
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + 100))
        self.end_headers()
        self.wfile.write(body if mode == "held_long" else body[:len(body) // 2])
        self.wfile.flush()
        return self.hard_close()

    def send_hostile(self, fault, tok, entry):
        """An answer carrying attacker-chosen text (no real checkout)."""
        mode, value = fault["mode"], fault["value"]
        if mode in ("bad_id", "bad_account"):
            obj = self.fake_checkout()
            if mode == "bad_id":
                obj["CheckOut"]["Request"]["id"] = value
            else:
                obj["CheckOut"]["account"] = value
            return self.send_json(200, obj)
        if mode == "echo_token":
            t = tok or ""
            mid = max(0, (len(t) - 24) // 2)
            part = {"head": t[:24], "tail": t[-24:], "middle": t[mid:mid + 24],
                    "whole": t}.get(value, t)
            value = "token ...%s... is not valid for this runHost" % part
        entry["body_status"] = 403
        return self.send_json(200, {"message": value, "status": 403})

    def send_fault(self, mode, kind, entry):
        j = "application/json"
        if mode == "http500":
            entry["body_status"] = 500
            return self.send_json(500, {"message": "Internal Server Error", "status": 500})
        if mode == "http502-html":
            return self.send_raw(502, html_page("502 Bad Gateway", "nginx"), "text/html")
        if mode == "http401":
            entry["body_status"] = 401
            return self.send_json(401, {"message": "Invalid token", "status": 401})
        if mode == "http403":
            entry["body_status"] = 403
            return self.send_json(403, {"message": "Forbidden", "status": 403})
        if mode == "http409":
            entry["body_status"] = 409
            return self.send_json(409, {"message": "All credentials in use", "status": 409})
        if mode == "html":
            return self.send_raw(200, html_page("Sign in", "Please sign in to continue"),
                                 "text/html; charset=utf-8")
        if mode == "malformed_json":
            body = json.dumps(self.ok_body(kind))
            if ', "message"' in body:   # drop a comma
                body = body.replace(', "message"', ' "message"', 1)
            else:                         # a check-in body starts with "message"
                body = body.replace(', "', ' "', 1)
            return self.send_raw(200, body.encode(), j)
        if mode == "truncated_json":
            body = json.dumps(self.ok_body(kind)).encode()
            cut = body[:len(body) // 2]
            self.send_response(200)
            self.send_header("Content-Type", j)
            self.send_header("Content-Length", str(len(body) + 100))
            self.end_headers()
            self.wfile.write(cut)
            self._status = 200
            self.wfile.flush()
            return self.hard_close()
        if mode == "drop":
            return self.hard_close()
        if mode == "oversized":
            obj = self.ok_body(kind)
            obj["padding"] = ""
            head = json.dumps(obj).encode()
            body = head[:-2] + b"A" * (OVERSIZED_BYTES - len(head) + 2) + b'"}'
            return self.send_raw(200, body, j)
        if mode == "body403":
            entry["body_status"] = 403
            return self.send_json(200, {"message": "access denied", "status": 403})
        if mode == "body409":
            entry["body_status"] = 409
            return self.send_json(200, {"message": "All credentials in use", "status": 409})
        if mode == "missing_passwd":
            obj = self.fake_checkout()
            del obj["CheckOut"]["passwd"]
            return self.send_json(200, obj)
        if mode == "deep_json":
            obj = self.ok_body(kind)
            # total nesting depth DEEP_LEVELS: top object + "extra" chain
            inner = "1"
            for _ in range(DEEP_LEVELS - 1):
                inner = '{"a":' + inner + "}"
            body = json.dumps(obj)[:-1] + ', "extra": ' + inner + "}"
            return self.send_raw(200, body.encode(), j)
        raise AssertionError(mode)

    # ---- control API ------------------------------------------------------
    def control(self, method, path):
        pam = self.pam
        try:
            raw = self.read_body()
        except BadRequest as e:
            return self.send_json(e.code, {"error": e.message}, close=True)
        if path == "/_mock/state" and method == "GET":
            return self.send_json(200, pam.state())
        if path == "/_mock/health" and method == "GET":
            return self.send_json(200, {"ok": True})
        if path == "/_mock/issued" and method == "GET":
            if not pam.expose_passwords:
                return self.send_json(404, {"error": "start the mock with --expose-passwords"})
            return self.send_json(200, {"issued": pam.issued_list()})
        if method != "POST":
            return self.send_json(404 if path not in ("/_mock/state", "/_mock/health", "/_mock/issued",
                                                      "/_mock/fault", "/_mock/password-style",
                                                      "/_mock/reset", "/_mock/checkin-all")
                                  else 405, {"error": "not found or wrong method"})
        if path == "/_mock/reset":
            pam.reset()
            return self.send_json(200, {"ok": True})
        if path == "/_mock/checkin-all":
            n = pam.checkin_all()
            return self.send_json(200, {"ok": True, "checked_in": n})
        if path == "/_mock/password-style":
            try:
                spec = json.loads(raw.decode("utf-8") or "null", parse_constant=_no_constants)
            except (ValueError, RecursionError):
                spec = None
            style = spec.get("style") if isinstance(spec, dict) else None
            if style not in PASSWORD_STYLES:
                return self.send_json(400, {"error": "style must be one of: " +
                                            ", ".join(PASSWORD_STYLES)})
            pam.password_style = style
            return self.send_json(200, {"ok": True, "style": style})
        if path == "/_mock/fault":
            try:
                spec = self.parse_fault(raw)
                if spec is None:
                    with pam.lock:
                        pam.faults = []
                    return self.send_json(200, {"ok": True, "faults": []})
                faults = pam.add_fault(spec)
            except (BadRequest, ValueError) as e:
                return self.send_json(400, {"error": getattr(e, "message", str(e))})
            return self.send_json(200, {"ok": True, "faults": faults})
        return self.send_json(404, {"error": "not found"})

    def parse_fault(self, raw):
        try:
            spec = json.loads(raw.decode("utf-8") or "null", parse_constant=_no_constants)
        except (ValueError, RecursionError):
            raise BadRequest(400, "bad JSON")
        if not isinstance(spec, dict):
            raise BadRequest(400, "expected a JSON object")
        mode = spec.get("mode")
        if mode in ("none", "clear"):
            return None
        if mode not in FAULT_MODES:
            raise BadRequest(400, "unknown mode; one of: " + ", ".join(FAULT_MODES))
        on = spec.get("on", "any")
        if on not in FAULT_ON:
            raise BadRequest(400, "on must be checkout, checkin or any")
        if mode in CHECKOUT_ONLY_MODES and on == "checkin":
            raise BadRequest(400, "%s only applies to checkouts" % mode)
        count = spec.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count == 0 or count < -1:
            raise BadRequest(400, "count must be a positive integer or -1")
        delay = spec.get("delay", 2.0 if mode == "slow" else 0.0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) \
                or not math.isfinite(delay) or not 0 <= delay <= 300:
            raise BadRequest(400, "delay must be 0..300 seconds")
        value = spec.get("value", "..")
        if not isinstance(value, str) or len(value) > 4096:
            raise BadRequest(400, "value must be a string of at most 4096 characters")
        return {"mode": mode, "on": on, "count": count, "delay": float(delay), "value": value}


def _conn():
    ci = getattr(_tls, "conn", None)
    return ci if ci is not None else ConnInfo(0, False)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, pam, log, ssl_ctx, family):
        self.address_family = family
        self.pam = pam
        self.log = log
        self.ssl_ctx = ssl_ctx
        self.serial = 0
        self.active = 0
        self.active_lock = threading.Lock()
        super().__init__(addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port

    def process_request(self, request, client_address):
        with self.active_lock:
            if self.active >= MAX_CONNECTIONS:
                full = True
            else:
                full = False
                self.active += 1
                self.serial += 1
                serial = self.serial
        if full:
            self.pam.bump("refused_connections")
            self.shutdown_request(request)
            return
        self.pam.bump("connections_total")
        t = threading.Thread(target=self.process_request_thread,
                             args=(request, client_address, serial), daemon=True)
        t.start()

    def process_request_thread(self, request, client_address, serial):
        try:
            self.finish_request(request, client_address, serial)
        except Exception:
            pass
        finally:
            self.shutdown_request(request)
            with self.active_lock:
                self.active -= 1

    def finish_request(self, request, client_address, serial):
        conn = request
        ci = ConnInfo(serial, self.ssl_ctx is not None)
        if self.ssl_ctx is not None:
            request.settimeout(SOCKET_TIMEOUT)
            try:
                conn = self.ssl_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.pam.bump("tls_failures")
                self.log.log("conn=%d TLS handshake failed: %s" % (serial, printable(e, 200)))
                return
            self.pam.bump("tls_handshakes_total")
            ci.resumed = bool(conn.session_reused)
        _tls.conn = ci
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            _tls.conn = None
            if conn is not request:
                try:
                    conn.close()
                except OSError:
                    pass

    def handle_error(self, request, client_address):
        pass


def load_config(path):
    with open(path, encoding="utf-8") as fh:
        cfg = json.load(fh)
    if not isinstance(cfg, dict):
        raise ValueError("config must be a JSON object")
    toks = cfg.get("tokens")
    if not isinstance(toks, list) or not toks or \
            not all(isinstance(t, str) and t for t in toks):
        raise ValueError("config: tokens must be a non-empty list of non-empty strings")
    rhs = cfg.get("runhosts")
    if not isinstance(rhs, dict) or not rhs:
        raise ValueError("config: runhosts must be a non-empty object")
    for name, rh in rhs.items():
        if not isinstance(rh, dict):
            raise ValueError("config: runhosts.%s must be an object" % name)
        accts = rh.get("accounts")
        if not isinstance(accts, list) or not accts or \
                not all(isinstance(a, str) and a and "\0" not in a for a in accts):
            raise ValueError("config: runhosts.%s.accounts must be a non-empty list of names" % name)
        if len(set(accts)) != len(accts):
            raise ValueError("config: runhosts.%s.accounts has duplicates" % name)
        rt = rh.get("tokens")
        if rt is not None and not (isinstance(rt, list) and all(isinstance(t, str) for t in rt)):
            raise ValueError("config: runhosts.%s.tokens must be a list of strings" % name)
    return cfg


def resolve_listen(addr):
    if addr == "localhost":
        addr = "127.0.0.1"
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise ValueError("--listen must be a loopback IP address, got %r" % addr)
    if not ip.is_loopback:
        raise ValueError("refusing to listen on non-loopback address %s" % addr)
    return str(ip), (socket.AF_INET6 if ip.version == 6 else socket.AF_INET)


def write_port_file(path, port):
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, ".%s.tmp.%d" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as fh:
        fh.write("%d\n" % port)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Mock PAM credential checkout server (see README.md)")
    ap.add_argument("--listen", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="TCP port, 0 = pick a free one")
    ap.add_argument("--port-file", help="write the port here (atomically) once listening")
    ap.add_argument("--tls-cert", help="server certificate PEM (enables HTTPS)")
    ap.add_argument("--tls-key", help="server key PEM")
    ap.add_argument("--config", required=True, help="JSON: {tokens:[...], runhosts:{name:{accounts:[...]}}}")
    ap.add_argument("--pg-host", help="PostgreSQL host or socket dir; absent = no password push")
    ap.add_argument("--pg-port", type=int)
    ap.add_argument("--pg-admin", help="PostgreSQL admin role (superuser or CREATEROLE)")
    ap.add_argument("--pg-database", default="postgres")
    ap.add_argument("--psql", default="psql", help="psql binary (default: psql on PATH)")
    ap.add_argument("--pg-plaintext", action="store_true",
                    help="send plaintext passwords in ALTER ROLE (default: SCRAM verifiers)")
    ap.add_argument("--db", choices=("postgresql", "mariadb"), default="postgresql",
                    help="where passwords are pushed: PostgreSQL (--pg-*) or MariaDB (--mariadb-*)")
    ap.add_argument("--mariadb-socket", help="MariaDB server socket (with --db mariadb)")
    ap.add_argument("--mariadb-admin", help="MariaDB account allowed to ALTER USER (default: the OS user)")
    ap.add_argument("--mariadb-client", default="mariadb", help="mariadb client binary (default: on PATH)")
    ap.add_argument("--mariadb-plaintext", action="store_true",
                    help="send plaintext passwords in ALTER USER (default: mysql_native_password hashes)")
    ap.add_argument("--password-style", choices=sorted(PASSWORD_STYLES), default="hostile",
                    help="characters of the passwords handed out (default hostile; also "
                         "POST /_mock/password-style)")
    ap.add_argument("--no-initial-rotate", action="store_true",
                    help="do not reset every account's password at startup")
    ap.add_argument("--minute-seconds", type=float, default=60.0,
                    help="real seconds per minute of requested duration (default 60)")
    ap.add_argument("--grace-seconds", type=float, default=0.0,
                    help="extra seconds before an expired checkout is auto checked in")
    ap.add_argument("--strict-fields", action="store_true",
                    help="also require non-empty reason and emailid in checkouts")
    ap.add_argument("--idle-timeout", type=float, default=30.0,
                    help="close idle keep-alive connections after this many seconds")
    ap.add_argument("--log", help="request log file (no tokens, no passwords)")
    ap.add_argument("--expose-passwords", action="store_true",
                    help="tests only: serve the passwords of recent checkouts at GET /_mock/issued")
    ap.add_argument("--verbose", action="store_true", help="also log to stderr")
    a = ap.parse_args(argv)

    try:
        host, family = resolve_listen(a.listen)
        cfg = load_config(a.config)
        if not (a.minute_seconds > 0 and math.isfinite(a.minute_seconds)):
            raise ValueError("--minute-seconds must be > 0")
        if not (a.grace_seconds >= 0 and math.isfinite(a.grace_seconds)):
            raise ValueError("--grace-seconds must be >= 0")
        if bool(a.tls_cert) != bool(a.tls_key):
            raise ValueError("--tls-cert and --tls-key go together")
        if not 0 <= a.port <= 65535:
            raise ValueError("bad --port")
        if a.db == "mariadb" and not a.mariadb_socket:
            raise ValueError("--db mariadb needs --mariadb-socket")
        if a.db == "mariadb" and a.pg_host:
            raise ValueError("--pg-host goes with --db postgresql")
    except (ValueError, OSError) as e:
        sys.stderr.write("mockpam: %s\n" % e)
        return 2

    ssl_ctx = None
    if a.tls_cert:
        ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ssl_ctx.load_cert_chain(a.tls_cert, a.tls_key)
        except (ssl.SSLError, OSError) as e:
            sys.stderr.write("mockpam: cannot load TLS cert/key: %s\n" % e)
            return 2

    log = Logger(a.log, a.verbose)
    pg = None
    if a.pg_host:
        pg = Pg(a.pg_host, a.pg_port, a.pg_admin, a.pg_database, a.psql, a.pg_plaintext, log=log)
    elif a.db == "mariadb":
        pg = MariaDb(a.mariadb_socket, a.mariadb_admin, a.mariadb_client, a.mariadb_plaintext, log=log)
    pam = Pam(cfg, pg, a.minute_seconds, a.grace_seconds, a.strict_fields, log,
              a.expose_passwords)
    pam.password_style = a.password_style
    if pg is not None and not a.no_initial_rotate:
        errs = pam.rotate_all_accounts()
        if errs:
            sys.stderr.write("mockpam: cannot set passwords on %s:\n  %s\n" % (pg.name, "\n  ".join(errs)))
            return 3

    Handler.timeout = a.idle_timeout
    try:
        srv = Server((host, a.port), pam, log, ssl_ctx, family)
    except OSError as e:
        sys.stderr.write("mockpam: cannot listen on %s:%d: %s\n" % (host, a.port, e))
        return 2
    port = srv.server_address[1]

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    expiry = threading.Thread(target=pam.expiry_loop, daemon=True)
    expiry.start()
    serve = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serve.start()
    if a.port_file:
        write_port_file(a.port_file, port)
    log.log("listening on %s://%s:%d pg=%s db=%s minute_seconds=%g" % (
        "https" if ssl_ctx else "http", host, port, "yes" if isinstance(pg, Pg) else "no",
        pg.name if pg else "none", a.minute_seconds))

    while not stop.wait(0.5):
        if not serve.is_alive():
            break
    log.log("shutting down")
    srv.shutdown()
    srv.server_close()
    pam.stop.set()
    expiry.join(2)
    n = pam.checkin_all("forced_checkins")   # rotate outstanding passwords away
    if n:
        log.log("checked in %d outstanding checkout(s) at exit" % n)
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
