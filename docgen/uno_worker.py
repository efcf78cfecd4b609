"""A LibreOffice conversion worker, run by the system Python that has the uno module.

It starts one headless LibreOffice with its own profile, listening on a pipe, and then
converts documents to PDF for as long as it runs: one JSON request a line on stdin
({"source": path, "target": path}), one JSON answer a line on stdout ({"ok": true} or
{"ok": false, "error": text}). It imports nothing from docgen, so that the system Python
can run it as a file.
"""

import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

PDF_FILTER_DATA = {"SelectPdfVersion": 2, "ExportBookmarksToPDFDestination": True}


def _properties(**values):
    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def _start(soffice, profile, pipe):
    """Start LibreOffice and return its desktop once it answers."""
    subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--nologo",
         "--nodefault", "--nolockcheck", "--norestore", f"--accept=pipe,name={pipe};urp;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 60
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def _convert(desktop, source, target):
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, _properties(Hidden=True, ReadOnly=True))
    if document is None:
        raise RuntimeError("LibreOffice не смог открыть документ")
    try:
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue",
                              _properties(**PDF_FILTER_DATA))
        document.storeToURL(uno.systemPathToFileUrl(target),
                            _properties(FilterName="writer_pdf_Export", FilterData=filter_data))
    finally:
        document.close(True)


def main():
    """Serve conversion requests until stdin closes."""
    soffice, profile = sys.argv[1], sys.argv[2]
    desktop = _start(soffice, profile, f"docgen-{os.getpid()}")
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            _convert(desktop, request["source"], request["target"])
            answer = {"ok": True}
        except Exception as exc:  # any UNO failure is reported for that document alone
            answer = {"ok": False, "error": str(exc).splitlines()[0] if str(exc) else
                      type(exc).__name__}
        print(json.dumps(answer), flush=True)
    desktop.terminate()


if __name__ == "__main__":
    main()
