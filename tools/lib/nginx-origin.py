#!/usr/bin/env python3
"""A real origin on loopback for the push tools: Debian's nginx with its WebDAV module (PUT, DELETE, full
paths created), in the foreground as this user from a private prefix folder. Files land in PREFIX/www.
(Tests/LiveLadderTests/NginxOrigin.swift is the Swift tests' copy, with a refusing mode.)

As a module: `start(prefix) -> (process, port)`. As a command: `nginx-origin.py PREFIX` prints the port,
then runs nginx until killed (tools/asan.sh).
"""

import os
import signal
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(prefix):
    port = free_port()
    for folder in ("www/live", "tmp"):
        os.makedirs(os.path.join(prefix, folder), exist_ok=True)
    config = f"""
daemon off; master_process off; worker_processes 1;
pid {prefix}/nginx.pid; error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off; client_body_temp_path {prefix}/tmp; proxy_temp_path {prefix}/tmp; fastcgi_temp_path {prefix}/tmp;
  uwsgi_temp_path {prefix}/tmp; scgi_temp_path {prefix}/tmp; client_max_body_size 0;
  server {{ listen 127.0.0.1:{port}; root {prefix}/www;
    location /live/ {{ dav_methods PUT DELETE; create_full_put_path on; }} }}
}}"""
    with open(os.path.join(prefix, "nginx.conf"), "w") as f:
        f.write(config)
    process = subprocess.Popen(["nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"), "-e", os.path.join(prefix, "error.log")])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit("nginx-origin: nginx did not start")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: nginx-origin.py PREFIX")
    nginx, port = start(os.path.abspath(sys.argv[1]))
    # Killing this process stops nginx too (tools/asan.sh kills it by PID).
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: (nginx.terminate(), nginx.wait(), sys.exit(0)))
    print(port, flush=True)
    nginx.wait()
