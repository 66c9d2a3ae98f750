"""Exit non-zero when HOST:PORT is taken. granian binds with SO_REUSEPORT, so a stale server on
the same port would silently share the traffic with the new one."""

import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
    probe.settimeout(0.5)
    if probe.connect_ex((host, port)) == 0:
        sys.exit(f"Port {port} on {host} is already in use: stop that server or set PORT=...")
