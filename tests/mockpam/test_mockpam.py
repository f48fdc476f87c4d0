#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Self-test of the mock PAM server (no PostgreSQL). Run: /usr/bin/python3 test_mockpam.py

Starts mockpam.py over HTTPS (certificates from gen-certs.sh) on a free
127.0.0.1 port and checks the protocol, the control API and every fault mode.
Last line: "N passed, M failed"; exit status 1 on any failure.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import mockpam  # noqa: E402
import mockpam_client  # noqa: E402

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
MOCK = os.path.join(HERE, "mockpam.py")
API = "/rest/cmdctrl/Request"
TOK = "tok-A;{x}= '\"%"      # hostile token, must never be logged
TOK2 = "tok-B"
HOSTILE = set(";}{='\" %")
MINUTE = 0.5                  # --minute-seconds

passed = 0
failed = 0
procs = []


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what, flush=True)
    return cond


def test(fn):
    """Run one test function; an exception counts as a failure."""
    global failed
    t0 = time.monotonic()
    try:
        fn()
    except Exception:
        failed += 1
        print("FAIL: %s raised:\n%s" % (fn.__name__, traceback.format_exc()), flush=True)
    dt = time.monotonic() - t0
    print("  %-32s %.2fs" % (fn.__name__, dt), flush=True)


class Env:
    pass


E = Env()


def start_mock(args, port_file):
    p = subprocess.Popen([PY, MOCK] + args + ["--port-file", port_file],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    procs.append(p)
    port = mockpam_client.wait_port(port_file, timeout=10, proc=p)
    return p, port


def ctx(cafile=None):
    return ssl.create_default_context(cafile=cafile or os.path.join(E.dir, "ca.pem"))


def conn(timeout=5.0, host="127.0.0.1"):
    return http.client.HTTPSConnection(host, E.port, context=ctx(), timeout=timeout)


def call(method, path, body=None, token=TOK, raw=None, headers=None, c=None, timeout=5.0):
    """One request; returns (status, content_type, body_bytes)."""
    own = c is None
    c = c or conn(timeout)
    h = {"Content-Type": "application/json", "Cache-Control": "no-cache"}
    if token is not None:
        h["Authorization"] = "Token token=%s" % token
    h.update(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        if own:
            c.close()


def co_body(runhost="pgapp", duration=60, **extra):
    req = {"type": "PasswordCheckout", "runHost": runhost, "reason": "self-test",
           "duration": duration, "emailid": "test@example.com"}
    req.update(extra)
    return {"Request": req}


def ci_body(runhost="pgapp", rid=None):
    req = {"type": "PasswordCheckin", "runHost": runhost}
    if rid is not None:
        req["id"] = rid
    return {"Request": req}


def checkout(runhost="pgapp", duration=60, token=TOK, c=None):
    st, ct, data = call("POST", API, co_body(runhost, duration), token=token, c=c)
    return st, json.loads(data)


def checkin(rid, runhost="pgapp", token=TOK, c=None, in_path=True, in_body=False):
    st, ct, data = call("PUT", API + ("/" + rid if in_path else ""),
                        ci_body(runhost, rid if in_body else None), token=token, c=c)
    return st, json.loads(data)


def state():
    return E.mp.state()


def nothing_outstanding(what):
    st = state()
    check(st["outstanding"] == [] and st["busy_accounts"] == [],
          "%s: nothing outstanding (got %s)" % (what, st["outstanding"]))


def depth(obj):
    best, stack = 0, [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, (dict, list)):
            best = max(best, d)
            for v in (o.values() if isinstance(o, dict) else o):
                stack.append((v, d + 1))
    return best


# ---------------------------------------------------------------- tests ----

def t_tls_verification():
    c = http.client.HTTPSConnection("127.0.0.1", E.port, context=ctx(os.path.join(E.dir, "other-ca.pem")),
                                    timeout=5)
    try:
        c.request("GET", "/_mock/health")
        c.getresponse().read()
        check(False, "TLS with an unrelated CA must fail")
    except ssl.SSLCertVerificationError:
        check(True, "")
    finally:
        c.close()
    # hostname "localhost" is in the SAN too
    st, _, data = call("GET", "/_mock/health", c=conn(host="localhost"), token=None)
    check(st == 200, "https://localhost works")
    E.mp.wait_until(lambda s: s["tls_failures"] >= 1, 3)


def t_roundtrip_shapes():
    E.mp.reset()
    st, j = checkout()
    check(st == 200, "checkout HTTP 200")
    check(set(j) == {"CheckOut", "message", "status", "vrm"}, "checkout top keys %s" % list(j))
    check(j["message"] == "OK" and j["status"] == 200 and j["vrm"] == "3.5.0", "checkout message/status/vrm")
    co = j["CheckOut"]
    check(set(co) == {"Request", "account", "passwd"}, "CheckOut keys %s" % list(co))
    check(set(co["Request"]) == {"id"} and isinstance(co["Request"]["id"], str) and co["Request"]["id"],
          "CheckOut.Request.id is a non-empty string")
    check(co["account"] in ("cs_app1", "cs_app2"), "account from pool")
    pw = co["passwd"]
    check(HOSTILE <= set(pw), "password contains all hostile chars: %r" % pw)
    check(any(ch.isalpha() for ch in pw) and any(ch.isdigit() for ch in pw), "password has letters and digits")
    rid = co["Request"]["id"]
    s = state()
    check([(o["id"], o["runHost"], o["account"]) for o in s["outstanding"]] == [(rid, "pgapp", co["account"])],
          "state shows the checkout")
    check(set(s["outstanding"][0]) >= {"id", "runHost", "account", "age_s"}, "outstanding entry keys")
    check(s["checkouts"] == 1, "checkouts counter")
    st, j = checkin(rid)
    check(st == 200 and j == {"message": "OK", "status": 200, "vrm": "3.5.0"}, "checkin response %s" % j)
    s = state()
    check(s["checkins"] == 1 and s["outstanding"] == [], "checkin counted, nothing outstanding")
    # a second checkout gets a different password
    st, j2 = checkout()
    check(st == 200 and j2["CheckOut"]["passwd"] != pw, "fresh password per checkout")
    check(j2["CheckOut"]["Request"]["id"] != rid, "fresh id per checkout")
    checkin(j2["CheckOut"]["Request"]["id"])
    # request ring
    reqs = state()["requests"]
    check(len(reqs) == 4, "4 requests in ring (got %d)" % len(reqs))
    r0 = reqs[0]
    check(r0["method"] == "POST" and r0["path"] == API and r0["status"] == 200 and r0["token_ok"] is True
          and r0["content_type"] == "application/json" and r0["runHost"] == "pgapp"
          and r0["duration_raw"] == 60
          and r0["body_keys"] == ["type", "runHost", "reason", "duration", "emailid"],
          "ring entry for checkout: %s" % r0)
    check(reqs[1]["method"] == "PUT" and reqs[1]["path"] == API + "/" + rid and reqs[1]["id"] == rid,
          "ring entry for checkin")


def t_unknown_id_and_variants():
    st, j = checkin("424242")
    check(st == 200 and j == {"message": "No such request", "status": 404}, "unknown id -> body 404: %s" % j)
    # id only in the body, PUT /rest/cmdctrl/Request (public scripts)
    st, j = checkout()
    rid = j["CheckOut"]["Request"]["id"]
    st, j = checkin(rid, in_path=False, in_body=True)
    check(st == 200 and j["status"] == 200, "checkin with id only in body")
    st, j = checkin(rid, in_path=True, in_body=True)
    check(st == 200 and j["status"] == 404, "second checkin of same id -> 404")
    # both, consistent
    st, j = checkout()
    rid = j["CheckOut"]["Request"]["id"]
    st, _, data = call("PUT", API + "/" + rid, ci_body("pgapp", "999"))
    check(st == 400, "path id != body id -> 400")
    st, _, data = call("PUT", API, ci_body("pgapp"))
    check(st == 400, "no id anywhere -> 400")
    st, j = checkin(rid, runhost="other")
    check(st == 200 and j["status"] == 404, "checkin with wrong runHost -> body 404")
    st, j = checkin(rid, token=TOK2)
    check(st == 200 and j["status"] == 403, "checkin by another token -> body 403")
    st, _, data = call("PUT", API + "/" + rid, {"Request": {"type": "PasswordCheckout", "runHost": "pgapp"}})
    check(st == 400, "checkin with type PasswordCheckout -> 400")
    st, j = checkin(rid, in_path=True, in_body=True)
    check(st == 200 and j["status"] == 200, "checkin with id in path and body")
    nothing_outstanding("id variants")


def t_token_check():
    exp = {"message": "Invalid token", "status": 401}
    for label, hdr in [("no header", None), ("wrong", "Token token=nope"),
                       ("bearer", "Bearer " + TOK2), ("empty", "Token token=")]:
        h = {"Authorization": hdr} if hdr else {}
        st, ct, data = call("POST", API, co_body(), token=None, headers=h)
        check(st == 401 and json.loads(data) == exp, "token %s -> 401 %s" % (label, data[:80]))
    st, ct, data = call("POST", API, co_body(), token=None, headers={"Authorization": 'Token token="%s"' % TOK2})
    check(st == 200, "quoted token accepted")
    rid = json.loads(data)["CheckOut"]["Request"]["id"]
    st, ct, data = call("PUT", API + "/" + rid, ci_body(), token="bad")
    check(st == 401, "checkin with bad token -> 401")
    checkin(rid, token=TOK2)
    nothing_outstanding("token check")
    check(state()["requests"][-1]["token_ok"] is True, "token_ok recorded")


def t_access_denied():
    st, j = checkout(runhost="nosuchhost")
    check(st == 200 and j == {"message": "access denied", "status": 403}, "unknown runHost -> body 403: %s" % j)
    st, j = checkout(runhost="restricted", token=TOK)
    check(st == 200 and j["status"] == 403, "runHost restricted to other token -> body 403")
    st, j = checkout(runhost="restricted", token=TOK2)
    check(st == 200 and j["status"] == 200, "restricted runHost with its token")
    checkin(j["CheckOut"]["Request"]["id"], runhost="restricted", token=TOK2)
    nothing_outstanding("access denied")


def t_pool_exhaustion():
    st, a = checkout("solo")
    check(st == 200 and a["CheckOut"]["account"] == "cs_solo", "solo checkout")
    st, b = checkout("solo")
    check(st == 200 and b == {"message": "All credentials in use", "status": 409}, "solo exhausted -> body 409: %s" % b)
    checkin(a["CheckOut"]["Request"]["id"], "solo")
    st, c = checkout("solo")
    check(st == 200 and c["status"] == 200, "solo available again after checkin")
    checkin(c["CheckOut"]["Request"]["id"], "solo")
    st, x = checkout()
    st, y = checkout()
    st, z = checkout()
    check({x["CheckOut"]["account"], y["CheckOut"]["account"]} == {"cs_app1", "cs_app2"}, "distinct accounts")
    check(z == {"message": "All credentials in use", "status": 409}, "pgapp exhausted after 2")
    for o in (x, y):
        checkin(o["CheckOut"]["Request"]["id"])
    nothing_outstanding("pool exhaustion")


def t_concurrent_checkouts():
    results = []
    lock = threading.Lock()

    def worker():
        try:
            r = checkout()
        except Exception as e:  # noqa
            r = (0, str(e))
        with lock:
            results.append(r)

    ts = [threading.Thread(target=worker) for _ in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(10)
    ok = [j for st, j in results if st == 200 and isinstance(j, dict) and j.get("status") == 200]
    busy = [j for st, j in results if st == 200 and isinstance(j, dict) and j.get("status") == 409]
    check(len(ok) == 2 and len(busy) == 14, "16 concurrent checkouts on pool of 2: %d ok, %d busy"
          % (len(ok), len(busy)))
    check(len({j["CheckOut"]["account"] for j in ok}) == len(ok), "no account handed out twice")
    for j in ok:
        checkin(j["CheckOut"]["Request"]["id"])
    nothing_outstanding("concurrency")


def t_durations():
    good = [60, "60", 1.5, "0.5", "360"]
    for d in good:
        st, j = checkout(duration=d)
        ok = check(st == 200 and j.get("status") == 200, "duration %r accepted" % (d,))
        if ok:
            checkin(j["CheckOut"]["Request"]["id"])
    bad = ["abc", -1, 0, "0", True, None, "1e3", {}, [], "", " 5", "-5", 10 ** 9]
    for d in bad:
        st, ct, data = call("POST", API, co_body(duration=d))
        check(st == 400 and json.loads(data)["status"] == 400, "duration %r -> 400 (got %s)" % (d, st))
    body = co_body()
    del body["Request"]["duration"]
    st, _, _ = call("POST", API, body)
    check(st == 400, "missing duration -> 400")
    st, _, _ = call("POST", API, raw=b'{"Request":{"type":"PasswordCheckout","runHost":"pgapp","duration":NaN}}')
    check(st == 400, "NaN duration -> 400")
    nothing_outstanding("durations")


def t_bad_bodies():
    cases = [
        ("not json", b"hello"),
        ("array", b"[]"),
        ("no Request", b'{"request":{}}'),
        ("Request not object", b'{"Request":"x"}'),
        ("wrong type", json.dumps(co_body(type="PasswordCheckin")).encode()),
        ("no runHost", b'{"Request":{"type":"PasswordCheckout","duration":5}}'),
        ("runHost not string", json.dumps(co_body(runHost=5)).encode()),
        ("reason not string", json.dumps(co_body(reason=5)).encode()),
        ("bad utf8", b'{"Request":{"type":"PasswordCheckout","runHost":"\xff","duration":5}}'),
        ("empty", b""),
        ("deep", b"[" * 5000 + b"]" * 5000),
    ]
    for label, raw in cases:
        st, ct, data = call("POST", API, raw=raw)
        check(st == 400 and json.loads(data)["status"] == 400 and "json" in (ct or ""),
              "bad body (%s) -> 400 JSON (got %s)" % (label, st))
    st, _, _ = call("POST", API, co_body(), headers={"Content-Type": "text/plain"})
    check(st == 400, "wrong Content-Type -> 400")
    st, _, _ = call("POST", API, co_body(), headers={"Content-Type": "application/json; charset=utf-8"})
    check(st == 200, "Content-Type with charset accepted")
    checkin(state()["outstanding"][0]["id"])
    big = json.dumps(co_body(reason="x" * (70 * 1024))).encode()
    st, _, data = call("POST", API, raw=big)
    check(st == 413, "body > 64 KiB -> 413 (got %s)" % st)
    st, _, _ = call("GET", API)
    check(st == 405, "GET on API -> 405")
    st, _, _ = call("POST", API + "/123", co_body())
    check(st == 405, "POST on API/id -> 405")
    st, _, _ = call("GET", "/nope", token=None)
    check(st == 404, "unknown path -> 404")
    nothing_outstanding("bad bodies")


def t_auto_checkin():
    E.mp.reset()
    st, j = checkout(duration=1)          # 1 "minute" = 0.5 s
    rid = j["CheckOut"]["Request"]["id"]
    st2, j2 = checkout(duration=6)        # 3 s, survives this test
    rid2 = j2["CheckOut"]["Request"]["id"]
    t0 = time.monotonic()
    s = E.mp.wait_until(lambda s: s["auto_checkins"] >= 1, 3)
    dt = time.monotonic() - t0
    check(0.3 <= dt <= 1.5, "auto check-in after ~0.5 s (took %.2fs)" % dt)
    check([o["id"] for o in s["outstanding"]] == [rid2], "only the longer checkout remains")
    st, j = checkin(rid)
    check(j["status"] == 404, "checkin after expiry -> body 404")
    st, j = checkin(rid2)
    check(j["status"] == 200, "longer checkout checks in")
    check(state()["auto_checkins"] == 1, "auto_checkins == 1")


def t_checkin_all_and_reset():
    E.mp.reset()
    ids = [checkout()[1]["CheckOut"]["Request"]["id"] for _ in range(2)]
    check(len(state()["outstanding"]) == 2, "two outstanding")
    E.mp.reset()
    s = state()
    check(len(s["outstanding"]) == 2 and s["checkouts"] == 0 and s["requests"] == [],
          "reset clears counters and log, not checkouts")
    n = E.mp.checkin_all()
    check(n == 2, "checkin-all returned 2")
    s = state()
    check(s["forced_checkins"] == 2 and s["outstanding"] == [], "forced check-ins counted")
    st, j = checkin(ids[0])
    check(j["status"] == 404, "forced-in id is gone")


def t_keepalive():
    E.mp.reset()
    c = conn()
    st, j = checkout(c=c)
    rid = j["CheckOut"]["Request"]["id"]
    st, j2 = checkin(rid, c=c)
    st, j3 = checkout(c=c)
    checkin(j3["CheckOut"]["Request"]["id"], c=c)
    c.close()
    s = state()
    check(s["connections"] == 1, "keep-alive: one API connection (got %d)" % s["connections"])
    check(s["tls_handshakes"] == 1, "keep-alive: one TLS handshake (got %d)" % s["tls_handshakes"])
    check(len({r["conn"] for r in s["requests"]}) == 1 and len(s["requests"]) == 4, "same conn id in ring")
    # and without reuse: two connections
    checkin(checkout()[1]["CheckOut"]["Request"]["id"])
    check(state()["connections"] == 3, "separate connections counted")


def fault_then_checkout(mode, delay=None, timeout=5.0):
    E.mp.reset()
    E.mp.fault(mode, on="checkout", count=1, delay=delay)
    c = conn(timeout)
    t0 = time.monotonic()
    try:
        c.request("POST", API, body=json.dumps(co_body()).encode(),
                  headers={"Content-Type": "application/json", "Authorization": "Token token=" + TOK})
        r = c.getresponse()
        res = (r.status, r.getheader("Content-Type") or "", r.read(), None)
    except Exception as e:  # noqa
        res = (None, None, None, e)
    finally:
        c.close()
    return res + (time.monotonic() - t0,)


def after_fault(mode):
    s = state()
    check(s["faults"] == [] and s["faults_fired"] == 1, "%s: fault consumed once" % mode)
    check(s["checkouts"] == 0, "%s: no real checkout" % mode)
    nothing_outstanding(mode)
    st, j = checkout()                        # next one is normal
    ok = check(st == 200 and j.get("status") == 200, "%s: next checkout normal" % mode)
    if ok:
        checkin(j["CheckOut"]["Request"]["id"])


def t_faults_checkout():
    def jl(b):
        return json.loads(b.decode())

    st, ct, b, e, dt = fault_then_checkout("http500")
    check(st == 500 and "json" in ct and jl(b)["status"] == 500, "http500")
    after_fault("http500")
    st, ct, b, e, dt = fault_then_checkout("http502-html")
    check(st == 502 and ct.startswith("text/html") and b"<html>" in b, "http502-html")
    after_fault("http502-html")
    st, ct, b, e, dt = fault_then_checkout("http401")
    check(st == 401 and jl(b) == {"message": "Invalid token", "status": 401}, "http401")
    after_fault("http401")
    st, ct, b, e, dt = fault_then_checkout("http403")
    check(st == 403 and jl(b)["status"] == 403, "http403")
    after_fault("http403")
    st, ct, b, e, dt = fault_then_checkout("http409")
    check(st == 409 and jl(b) == {"message": "All credentials in use", "status": 409}, "http409")
    after_fault("http409")
    st, ct, b, e, dt = fault_then_checkout("html")
    check(st == 200 and ct.startswith("text/html") and b"<html>" in b, "html")
    after_fault("html")
    st, ct, b, e, dt = fault_then_checkout("malformed_json")
    bad = False
    try:
        json.loads(b)
    except ValueError:
        bad = True
    check(st == 200 and "json" in ct and bad and b.startswith(b"{"), "malformed_json")
    after_fault("malformed_json")
    st, ct, b, e, dt = fault_then_checkout("truncated_json")
    check(isinstance(e, http.client.IncompleteRead), "truncated_json -> IncompleteRead (%r)" % e)
    after_fault("truncated_json")
    st, ct, b, e, dt = fault_then_checkout("drop")
    check(isinstance(e, (http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)),
          "drop -> disconnected (%r)" % e)
    after_fault("drop")
    st, ct, b, e, dt = fault_then_checkout("oversized")
    ok = st == 200 and len(b) >= 2 * 1024 * 1024
    j = jl(b) if ok else {}
    check(ok and j.get("status") == 200 and "CheckOut" in j, "oversized: 2 MiB valid JSON")
    after_fault("oversized")
    st, ct, b, e, dt = fault_then_checkout("body403")
    check(st == 200 and jl(b) == {"message": "access denied", "status": 403}, "body403")
    after_fault("body403")
    st, ct, b, e, dt = fault_then_checkout("body409")
    check(st == 200 and jl(b) == {"message": "All credentials in use", "status": 409}, "body409")
    after_fault("body409")
    st, ct, b, e, dt = fault_then_checkout("missing_passwd")
    j = jl(b)
    check(st == 200 and j["status"] == 200 and "passwd" not in j["CheckOut"] and "account" in j["CheckOut"],
          "missing_passwd")
    after_fault("missing_passwd")
    st, ct, b, e, dt = fault_then_checkout("deep_json")
    check(st == 200 and depth(jl(b)) == 100, "deep_json depth 100 (got %s)" % (depth(jl(b)) if st == 200 else st))
    after_fault("deep_json")
    # slow: answers normally after the delay (a real checkout)
    st, ct, b, e, dt = fault_then_checkout("slow", delay=0.4)
    check(st == 200 and jl(b)["status"] == 200 and dt >= 0.4, "slow: OK after %.2fs" % dt)
    if st == 200:
        checkin(jl(b)["CheckOut"]["Request"]["id"])
    nothing_outstanding("slow")
    # slow, client gives up first: no credential may stay checked out
    st, ct, b, e, dt = fault_then_checkout("slow", delay=1.0, timeout=0.3)
    check(isinstance(e, (socket.timeout, TimeoutError)), "slow: client timed out (%r)" % e)
    s = E.mp.wait_until(lambda s: s["client_gone"] + s["undone_checkouts"] >= 1, 3)
    check(s["checkouts"] == 0 or s["undone_checkouts"] == 1, "slow+timeout: checkout not kept")
    nothing_outstanding("slow+timeout")


def t_faults_checkin_and_counts():
    E.mp.reset()
    st, j = checkout()
    rid = j["CheckOut"]["Request"]["id"]
    E.mp.fault("http500", on="checkin")
    st, j = checkout("solo")                  # checkout unaffected by a checkin fault
    check(st == 200 and j["status"] == 200, "checkin fault does not hit checkouts")
    checkin(j["CheckOut"]["Request"]["id"], "solo")   # consumes the fault
    s = state()
    check(len(s["outstanding"]) == 2 and s["faults"] == [], "faulted checkin left it outstanding")
    st, j = checkin(state()["outstanding"][-1]["id"], "solo")
    check(j["status"] == 200, "retry of faulted checkin works")
    for mode in ("body409", "drop", "malformed_json", "deep_json", "oversized", "truncated_json", "slow"):
        E.mp.fault(mode, on="checkin", count=1, delay=0.1)
        try:
            checkin(rid)
        except Exception:  # noqa
            pass
    check(state()["faults"] == [], "checkin faults consumed")
    check(any(o["id"] == rid for o in state()["outstanding"]) is False, "slow checkin really checked in")
    # count 2 / -1 / on=any / mode none
    E.mp.reset()
    E.mp.fault("body403", on="any", count=2)
    r = [checkout()[1]["status"] for _ in range(3)]
    check(r[:2] == [403, 403] and r[2] == 200, "count 2 fires twice: %s" % r)
    checkin(state()["outstanding"][0]["id"])
    E.mp.fault("http500", on="checkout", count=-1)
    r = [call("POST", API, co_body())[0] for _ in range(3)]
    check(r == [500, 500, 500], "count -1 fires until reset")
    check(len(state()["faults"]) == 1, "count -1 stays queued")
    E.mp.clear_faults()
    st, j = checkout()
    check(j["status"] == 200, "mode none clears faults")
    checkin(j["CheckOut"]["Request"]["id"])
    # control API validation
    for spec in ({"mode": "nope"}, {"mode": "drop", "on": "x"}, {"mode": "drop", "count": 0},
                 {"mode": "missing_passwd", "on": "checkin"}, {"mode": "slow", "delay": -1}):
        st, _, _ = E.mp.request("POST", "/_mock/fault", spec)
        check(st == 400, "bad fault spec %s -> 400" % spec)
    nothing_outstanding("checkin faults")


def t_secrets_not_logged():
    st, j = checkout()
    pw = j["CheckOut"]["passwd"]
    checkin(j["CheckOut"]["Request"]["id"])
    with open(os.path.join(E.dir, "mock.log")) as fh:
        log = fh.read()
    check(TOK not in log and TOK2 not in log and "tok-A" not in log, "token not in log file")
    check(pw not in log, "password not in log file")
    check("PUT " + API + "/" in log and "runHost=pgapp" in log, "log has method/path/runHost")
    s = json.dumps(state())
    check("tok-A" not in s and pw not in s, "token/password not in state")


def t_plain_http_and_cli():
    pf = os.path.join(E.dir, "port-plain")
    p, port = start_mock(["--config", E.cfg, "--minute-seconds", "60"], pf)
    m = mockpam_client.MockPam("http://127.0.0.1:%d" % port)
    st, j = m.checkout(TOK, "pgapp", 5)
    check(st == 200 and j["status"] == 200, "plain HTTP checkout")
    st, j = m.checkin(TOK, j["CheckOut"]["Request"]["id"], "pgapp", id_in="both")
    check(st == 200 and j["status"] == 200, "plain HTTP checkin")
    st, j = m.checkout(TOK, "pgapp", 5)        # left outstanding: SIGTERM must still exit cleanly
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(5)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, "SIGTERM -> clean exit 0 (got %s)" % rc)
    for bad in (["--listen", "0.0.0.0"], ["--listen", "192.0.2.1"], ["--listen", "example.com"]):
        r = subprocess.run([PY, MOCK, "--config", E.cfg, "--port", "0"] + bad,
                           capture_output=True, timeout=10)
        check(r.returncode != 0 and b"loopback" in r.stderr, "refuses %s" % bad[1])
    r = subprocess.run([PY, MOCK, "--config", "/nonexistent.json"], capture_output=True, timeout=10)
    check(r.returncode != 0, "missing config -> error")


def t_expose_passwords():
    st, _, data = call("GET", "/_mock/issued", token=None)
    check(st == 404, "/_mock/issued is 404 without --expose-passwords (got %d)" % st)
    pf = os.path.join(E.dir, "port-expose")
    p, port = start_mock(["--config", E.cfg, "--tls-cert", os.path.join(E.dir, "server.pem"),
                          "--tls-key", os.path.join(E.dir, "server.key"), "--expose-passwords",
                          "--log", os.path.join(E.dir, "mock-expose.log")], pf)
    try:
        mp = mockpam_client.MockPam("https://127.0.0.1:%d" % port, os.path.join(E.dir, "ca.pem"))
        st, j = mp.checkout(TOK, "pgapp")
        rid, pw = j["CheckOut"]["Request"]["id"], j["CheckOut"]["passwd"]
        mp.fault("http500", on="checkout")
        mp.checkout(TOK, "pgapp")
        got = mp.issued()
        check(got == [{"id": rid, "account": j["CheckOut"]["account"], "passwd": pw}],
              "/_mock/issued lists the real checkout only (got %d entries)" % len(got))
        mp.checkin(TOK, rid, "pgapp")
        check([e["id"] for e in mp.issued()] == [rid], "/_mock/issued keeps checked-in entries")
        # wrong_passwd: a real checkout whose answer is not the issued password
        mp.fault("wrong_passwd", on="checkout")
        st, j = mp.checkout(TOK, "pgapp")
        rid2 = j["CheckOut"]["Request"]["id"]
        real = [e["passwd"] for e in mp.issued() if e["id"] == rid2]
        check(real != [] and real[0] != j["CheckOut"]["passwd"],
              "wrong_passwd: a real checkout handing out another password")
        mp.checkin(TOK, rid2, "pgapp")
        # every password style holds its characters
        for style, must in mockpam.PASSWORD_STYLES.items():
            mp.password_style(style)
            st, j = mp.checkout(TOK, "pgapp")
            pw2 = j["CheckOut"]["passwd"]
            check(all(ch in pw2 for ch in must), "style %s: every one of its characters" % style)
            if style == "symbols":
                check(not any(ch in pw2 for ch in ";{}= "), "style symbols: nothing to brace")
            mp.checkin(TOK, j["CheckOut"]["Request"]["id"], "pgapp")
        try:
            mp.password_style("nosuch")
            check(False, "an unknown password style is refused")
        except mockpam_client.MockPamError:
            check(True, "an unknown password style is refused")
    finally:
        p.terminate()
        p.wait(5)
    with open(os.path.join(E.dir, "mock-expose.log")) as fh:
        check(pw not in fh.read(), "exposed password not in the log")


def main():
    E.dir = tempfile.mkdtemp(prefix="mockpam-test-")
    deadline_timer = threading.Timer(55, lambda: (print("FAIL: global timeout", flush=True),
                                                  cleanup(), os._exit(1)))
    deadline_timer.daemon = True
    deadline_timer.start()
    try:
        subprocess.run(["sh", os.path.join(HERE, "gen-certs.sh"), E.dir], check=True, timeout=30)
        E.cfg = os.path.join(E.dir, "config.json")
        with open(E.cfg, "w") as fh:
            json.dump({"tokens": [TOK, TOK2],
                       "runhosts": {"pgapp": {"accounts": ["cs_app1", "cs_app2"]},
                                    "solo": {"accounts": ["cs_solo"]},
                                    "restricted": {"accounts": ["cs_r"], "tokens": [TOK2]}}}, fh)
        E.proc, E.port = start_mock(
            ["--config", E.cfg, "--tls-cert", os.path.join(E.dir, "server.pem"),
             "--tls-key", os.path.join(E.dir, "server.key"), "--minute-seconds", str(MINUTE),
             "--log", os.path.join(E.dir, "mock.log")],
            os.path.join(E.dir, "port"))
        E.mp = mockpam_client.MockPam("https://127.0.0.1:%d" % E.port, os.path.join(E.dir, "ca.pem"))
        for t in (t_tls_verification, t_roundtrip_shapes, t_unknown_id_and_variants, t_token_check,
                  t_access_denied, t_pool_exhaustion, t_concurrent_checkouts, t_durations,
                  t_bad_bodies, t_auto_checkin, t_checkin_all_and_reset, t_keepalive,
                  t_faults_checkout, t_faults_checkin_and_counts, t_secrets_not_logged,
                  t_plain_http_and_cli, t_expose_passwords):
            test(t)
        if E.proc.poll() is not None:
            check(False, "mock still running at the end (exited %s): %s"
                  % (E.proc.returncode, E.proc.stderr.read()[-2000:]))
    except Exception:
        check(False, "setup: %s" % traceback.format_exc())
    finally:
        cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    shutil.rmtree(getattr(E, "dir", "/nonexistent-mockpam"), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
