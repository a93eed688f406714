"""The peer for the python-peer benchmark: an osquery extension in Python built
the way osquery-python builds one, on Debian's python3-thrift.

Like osquery-python (osquery/management.py, extension_manager.py,
table_plugin.py): parse --socket/--timeout/--interval, register with the
manager, start a watcher thread that pings the manager every --interval and
exits when it stops answering, then serve <socket>.<uuid> with TSimpleServer
over a buffered transport; call() routes to the table plugin, which answers
"columns" with its routes and "generate" with its rows. One difference, in
Python's favour: osquery-python uses the pure-Python TBinaryProtocolFactory,
this uses the C-accelerated one (fastbinary), and refuses to start without it.

Run:  python3 extension.py GENDIR --socket PATH [--timeout S] [--interval S]
GENDIR holds the `osquery` package that `thrift --gen py` made from osquery's IDL.
"""

import argparse
import json
import os
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("gendir")
parser.add_argument("--socket", required=True)
parser.add_argument("--timeout", type=int, default=3)
parser.add_argument("--interval", type=int, default=3)
parser.add_argument("--verbose", action="store_true")
args = parser.parse_args()
sys.path.insert(0, args.gendir)

from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.protocol import fastbinary  # noqa: E402,F401  (ImportError: not accelerated)
from thrift.server import TServer  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402

from osquery import Extension, ExtensionManager  # noqa: E402
from osquery.ttypes import ExtensionResponse, ExtensionStatus, InternalExtensionInfo  # noqa: E402

PROTOCOL = TBinaryProtocol.TBinaryProtocolAcceleratedFactory(fallback=False)

# Ten columns, even ones BIGINT, odd ones TEXT, and the hidden `n` (rows wanted).
COLUMNS = [("c%d" % i, "BIGINT" if i % 2 == 0 else "TEXT") for i in range(10)]
TABLE = "py_bench"


def rows(n):
    """The same rows as the Node extension's sdk_bench, as osquery text."""
    out = []
    for i in range(n):
        out.append({
            "c0": str(i),
            "c1": "process-%d.exe" % i,
            "c2": str(1700000000 + i),
            "c3": "C:\\Windows\\System32\\task-%d.exe" % (i % 97),
            "c4": str(i * 4096),
            "c5": "NT AUTHORITY\\SYSTEM",
            "c6": str(i % 65536),
            "c7": '"powershell.exe" -enc %x' % i,
            "c8": str(2 ** 40 + i),
            "c9": "ESTABLISHED",
        })
    return out


def wanted(context_json):
    """n from the constraint `n = N` in the query context osqueryd sends."""
    try:
        context = json.loads(context_json)
    except ValueError:
        return 0
    for c in context.get("constraints", []):
        if c.get("name") != "n":
            continue
        for item in c.get("list", []):
            if item.get("op") == 2:
                return max(0, min(1000000, int(item.get("expr", "0"))))
    return 0


class TablePlugin(object):
    def routes(self):
        cols = [{"id": "column", "name": name, "type": kind, "op": "0"} for name, kind in COLUMNS]
        # n is ADDITIONAL | HIDDEN (4 | 16), as the Node table declares it.
        return cols + [{"id": "column", "name": "n", "type": "BIGINT", "op": "20"}, {"id": "attributes", "attributes": "0"}]

    def call(self, request):
        action = request.get("action")
        if action == "generate":
            return ExtensionResponse(status=ExtensionStatus(code=0, message="OK"), response=rows(wanted(request.get("context", "{}"))))
        if action == "columns":
            return ExtensionResponse(status=ExtensionStatus(code=0, message="OK"), response=self.routes())
        return ExtensionResponse(status=ExtensionStatus(code=1, message="unknown action"), response=[])


class Handler(Extension.Iface):
    def __init__(self):
        self.plugins = {"table": {TABLE: TablePlugin()}}

    def ping(self):
        return ExtensionStatus(code=0, message="OK")

    def call(self, registry, item, request):
        plugin = self.plugins.get(registry, {}).get(item)
        if plugin is None:
            return ExtensionResponse(status=ExtensionStatus(code=1, message="no such plugin"), response=[])
        return plugin.call(request)

    def shutdown(self):
        threading.Timer(0.1, lambda: os._exit(0)).start()


def manager_client(path, timeout_s):
    sock = TSocket.TSocket(unix_socket=path)
    sock.setTimeout(timeout_s * 1000)
    transport = TTransport.TBufferedTransport(sock)
    transport.open()
    return transport, ExtensionManager.Client(PROTOCOL.getProtocol(transport))


def connect(path, timeout_s):
    deadline = time.time() + timeout_s
    while True:
        try:
            return manager_client(path, max(1, timeout_s))
        except TTransport.TTransportException:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def watch(path, interval):
    while True:
        time.sleep(interval)
        try:
            transport, client = manager_client(path, 5)
            status = client.ping()
            transport.close()
            if status.code != 0:
                break
        except Exception:  # the manager went away
            break
    os._exit(0)


def main():
    transport, client = connect(args.socket, args.timeout)
    status = client.registerExtension(
        InternalExtensionInfo(name="py_bench_ext", version="0.0.1", sdk_version="1.8.0", min_sdk_version="1.8.0"),
        {"table": {TABLE: TablePlugin().routes()}},
    )
    transport.close()
    if status.code != 0:
        sys.stderr.write("registration refused: %s\n" % status.message)
        return 1
    threading.Thread(target=watch, args=(args.socket, args.interval), daemon=True).start()
    server_socket = TSocket.TServerSocket(unix_socket="%s.%d" % (args.socket, status.uuid))
    server = TServer.TSimpleServer(Extension.Processor(Handler()), server_socket, TTransport.TBufferedTransportFactory(), PROTOCOL)
    sys.stderr.write("py_bench_ext: uuid %d, protocol %s (fastbinary %s)\n" % (status.uuid, type(PROTOCOL.getProtocol(TTransport.TMemoryBuffer())).__name__, fastbinary.__file__))
    sys.stderr.flush()
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
