"""A UNO worker for tests: it hangs on the first document whose name says «hang».

Run by the system Python like docgen's own worker, whose functions it reuses; the
HANG_MARKER file records that it has hung once. With HOLD_READY, it says it is ready only
once that file exists, as if its warm-up took that long.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.environ["DOCGEN_PACKAGE"])
import uno_worker  # noqa: E402 (found through the path set just above)


def main():
    """Serve like uno_worker, but hang once."""
    soffice, profile, pdf_options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    process, desktop = uno_worker._start(soffice, profile, f"docgen-test-{os.getpid()}")
    print(json.dumps({"up": True}), flush=True)
    while os.environ.get("HOLD_READY") and not os.path.exists(os.environ["HOLD_READY"]):
        time.sleep(0.05)
    print(json.dumps({"ready": True}), flush=True)
    marker = os.environ["HANG_MARKER"]
    for line in sys.stdin:
        request = json.loads(line)
        if "hang" in os.path.basename(request["source"]) and not os.path.exists(marker):
            open(marker, "w").close()
            time.sleep(3600)
        try:
            uno_worker._convert(desktop, request["source"], request["target"], pdf_options)
            answer = {"ok": True}
        except Exception as exc:
            answer = {"ok": False, "error": str(exc)}
        print(json.dumps(answer), flush=True)
    uno_worker._quit(desktop, process)


main()
