# SPDX-License-Identifier: MIT
"""A raw credshim-agent client (agent.sh runs it as another uid): sends one
ACQUIRE frame with the right token and prints "answer" when the agent
answered, "closed" when it closed the connection without a word."""
import socket
import struct
import sys


def field(tag, v):
    if isinstance(v, int):
        v = struct.pack(">Q", v)
    return bytes([tag]) + struct.pack(">H", len(v)) + v


payload = b"".join([field(1, b"https://127.0.0.1"), field(2, sys.argv[2].encode()),
                    field(3, b"pg1"), field(9, 60), field(10, 5000)])
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
    s.sendall(b"CS\x01\x01" + struct.pack(">I", len(payload)) + payload)
    s.settimeout(5)
    print("answer" if s.recv(100) else "closed")
except (ConnectionResetError, BrokenPipeError):
    print("closed")
except OSError as e:
    print("error %s" % e)
