# SPDX-License-Identifier: MIT
"""A fake credshim-agent for agent.sh: listens on SOCKET (its directory is
the caller's, 0700) and answers every request with one frame of protocol
VERSION (a CRED with no fields), then closes the connection.  Exits after
60 seconds at the latest.

    agent_fake.py SOCKET VERSION"""
import os
import socket
import struct
import sys
import time

path, version = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o600)
s.listen(16)
s.settimeout(1)
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    with c:
        c.settimeout(5)
        try:
            head = c.recv(8)
            if len(head) == 8:
                c.recv(struct.unpack(">I", head[4:])[0], socket.MSG_WAITALL)
            c.sendall(b"CS" + bytes([version, 0x81]) + struct.pack(">I", 0))
        except OSError:
            pass
