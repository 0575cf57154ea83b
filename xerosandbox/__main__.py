"""``python -m xerosandbox [--host H] [--port P] [--db PATH | --memory] [--time-scale N] [--control]``"""
from __future__ import annotations

import argparse
import os
import signal
import sys

from werkzeug.serving import make_server

from . import create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m xerosandbox",
                                     description="A local stand-in for Xero's identity and Accounting API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", 5055)))
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", default="instance/xerosandbox.db", help="SQLite file for the sandbox's state")
    where.add_argument("--memory", action="store_true", help="keep state in memory only")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="a sandbox minute lasts 60/N real seconds (benchmarks)")
    parser.add_argument("--control", action="store_true",
                        default=os.environ.get("XEROSANDBOX_CONTROL") == "1",
                        help="enable the /_sandbox/ control API (tests, benchmarks, make run)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = create_app(None if args.memory else args.db, time_scale=args.time_scale,
                     control=args.control)
    server = make_server(args.host, args.port, app, threaded=True)
    # SIGTERM (Ctrl-C of `make run`, a supervisor stopping us) ends serve_forever cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    where = "memory" if args.memory else args.db
    print(f"Xero sandbox on http://{args.host}:{server.port} (state: {where}, "
          f"time scale {args.time_scale:g}, control API {'on' if args.control else 'off'})", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
