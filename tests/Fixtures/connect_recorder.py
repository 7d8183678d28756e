#!/usr/bin/env python3
"""A stand-in HTTPS proxy that only records where clients want to go.

Usage: connect_recorder.py PORT FILE
Every connection's first request line (for HTTPS: "CONNECT host:443 HTTP/1.1") is appended to FILE, then the proxy
refuses the tunnel (403), so nothing ever leaves the machine. Point HTTPS_PROXY at it to see the real endpoint a
client would use without an endpoint override.
"""
import socket
import sys
import threading


def serve(connection, path, lock):
    with connection:
        connection.settimeout(5)
        try:
            data = connection.recv(8192)
        except OSError:
            return
        line = data.split(b'\r\n', 1)[0].decode('latin-1').strip()
        if line:
            with lock, open(path, 'a', encoding='utf-8') as f:
                f.write(line + '\n')
        try:
            connection.sendall(b'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
        except OSError:
            pass


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    port, path = int(argv[1]), argv[2]
    lock = threading.Lock()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', port))
    server.listen(64)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve, args=(connection, path, lock), daemon=True).start()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
