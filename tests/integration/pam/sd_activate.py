# SPDX-License-Identifier: MIT
"""Starts a program as systemd's socket activation does (agent_systemd.sh):
binds and listens on a Unix socket, puts it at fd 3, sets LISTEN_FDS=1 and
LISTEN_PID to this process, and execs the program (same pid).

    sd_activate.py [--mode OCTAL] [--fds N] SOCKET PROGRAM [ARGS...]

--mode is the socket file's mode (default 600, systemd's SocketMode=);
--fds N > 1 passes N copies of the socket (for the refusal test)."""
import fcntl
import os
import socket
import sys

args = sys.argv[1:]
mode, fds = 0o600, 1
while args and args[0].startswith("--"):
    if args[0] == "--mode":
        mode = int(args[1], 8)
    elif args[0] == "--fds":
        fds = int(args[1])
    else:
        sys.exit("unknown option " + args[0])
    args = args[2:]
path, prog = args[0], args[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, mode)
s.listen(128)
# Out of the way of fd 3 first (the socket may be fd 3 itself).
hold = fcntl.fcntl(s.fileno(), fcntl.F_DUPFD_CLOEXEC, 20)
s.close()
for i in range(fds):
    os.dup2(hold, 3 + i, inheritable=True)
os.close(hold)
os.environ["LISTEN_FDS"] = str(fds)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDNAMES"] = "credshim-agent.socket"
os.execv(prog[0], prog)
