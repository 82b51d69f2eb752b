"""A small stand-in of the Cato admin API's budget and traffic status, for both sides of the
comparison.

    python3 admin_api.py PORT_FILE TOKEN

Listens on a free loopback port (written to PORT_FILE once it listens) and answers
`GET /api/admin/cato/budget/status` and `GET /api/admin/cato/traffic/status` to
`Authorization: Bearer TOKEN`, 401 otherwise, 404 for any other path.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATUS = {
    "mode": "EMERGENCY",
    "spent": 1004.2,
    "monthlyLimit": 1000,
    "nextReset": "2027-01-01T00:00:00Z",
    "curiosityEnabled": False,
}

TRAFFIC = {
    "shadowSelfShare": 1.0,
    "cacheSimilarityThreshold": 0.92,
    "emergencyMode": True,
}

PATHS = {
    "/api/admin/cato/budget/status": STATUS,
    "/api/admin/cato/traffic/status": TRAFFIC,
}


def main():
    port_file, token = sys.argv[1], sys.argv[2]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get("Authorization") != f"Bearer {token}":
                self.answer(401, {"error": "unauthorized"})
            elif self.path.split("?")[0] in PATHS:
                self.answer(200, PATHS[self.path.split("?")[0]])
            else:
                self.answer(404, {"error": "not found"})

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
