"""A LibreOffice conversion worker, run by the system Python that has the uno module.

Its arguments: soffice, the profile's URL, the PDF export options as JSON and, if any, a
kept profile. It starts one headless LibreOffice with its own profile (a copy of the kept
one, when there is one), listening on a pipe, says {"up": true} on stdout once LibreOffice
answers and its profile is complete, {"ready": true} once it has warmed up (or
{"ready": false, "error": text} when this Python has no uno module), and then converts
documents to PDF for as long as it runs: one JSON request a line on stdin
({"source": path, "target": path}), one JSON answer a line on stdout ({"ok": true} or
{"ok": false, "error": text}). It imports nothing from docgen, so that the system Python
can run it as a file.
"""

import contextlib
import ctypes.util
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile

NO_UNO = "в системном Python нет модуля uno: sudo apt-get install python3-uno"

# uno is imported while LibreOffice starts, not before (25 ms of every start)


def _properties(**values):
    from com.sun.star.beans import PropertyValue

    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def _environment():
    """LibreOffice's environment: with jemalloc when it is installed.

    LibreOffice spends a fifth of its time converting a document in glibc's malloc and
    free; with jemalloc (Debian's libjemalloc2) it needs 8–15 % less time per document.
    """
    environment = dict(os.environ)
    allocator = ctypes.util.find_library("jemalloc")
    if allocator:
        environment["LD_PRELOAD"] = " ".join(
            filter(None, [allocator, environment.get("LD_PRELOAD")]))
    return environment


def _start(soffice, profile, pipe):
    """Start LibreOffice; return its process and its desktop once it answers."""
    process = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--nologo",
         "--nodefault", "--nolockcheck", "--norestore", f"--accept=pipe,name={pipe};urp;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=_environment())
    import uno
    from com.sun.star.connection import NoConnectException

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
    _mark_version_seen(context)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop",
                                                              context)
    return process, desktop


def _mark_version_seen(context):
    """Record in the profile that this version has started, as a first start with a
    window would; a profile kept from this run then starts without LibreOffice's
    first-start graphics tests. A kept profile has it recorded already."""
    provider = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", context)
    product = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        _properties(nodepath="/org.openoffice.Setup/Product"))
    version = product.getByName("ooSetupVersion")
    if product.getByName("ooSetupLastVersion") != version:
        product.replaceByName("ooSetupLastVersion", version)
        product.commitChanges()
        provider.flush()  # on disk now: the profile can be kept while LibreOffice runs


# What Writer does with a document's words when idle, for someone typing: collecting them
# for word completion, checking their spelling as it goes, counting them. In a conversion
# nobody types; beside a batch of 32 letters (0.5 s) it took 0.03-0.04 s of processor
# time on LibreOffice's main thread. Read at LibreOffice's start, so written into the
# profile before it.
IDLE_WORD_WORK = (
    ("/org.openoffice.Office.Writer/AutoFunction/Completion", "Enable"),
    ("/org.openoffice.Office.Writer/AutoFunction/Completion", "CollectWords"),
    ("/org.openoffice.Office.Linguistic/SpellChecking", "IsSpellAuto"),
)
SETTINGS = ("user", "registrymodifications.xcu")
NO_SETTINGS = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<oor:items xmlns:oor="http://openoffice.org/2001/registry">\n</oor:items>\n')


def _no_idle_word_work(profile):
    """Turn Writer's idle work on words off in the settings of the profile folder; best
    effort: without it LibreOffice only converts a little slower."""
    path = os.path.join(profile, *SETTINGS)
    items = "".join(f'<item oor:path="{node}"><prop oor:name="{name}" oor:op="fuse">'
                    "<value>false</value></prop></item>\n" for node, name in IDLE_WORD_WORK)
    try:
        try:
            with open(path, encoding="utf-8") as stream:
                settings = stream.read()
        except FileNotFoundError:  # a new profile: LibreOffice adds its own to these
            os.makedirs(os.path.dirname(path), exist_ok=True)
            settings = NO_SETTINGS
        end = settings.rindex("</oor:items>")
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(settings[:end] + items + settings[end:])
    except (OSError, UnicodeDecodeError, ValueError):  # unwritable, or not settings it knows
        pass


def _convert(desktop, source, target, pdf_options):
    """Convert the Word document `source` to the PDF `target` with the export options."""
    import uno

    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, _properties(Hidden=True, ReadOnly=True))
    if document is None:
        raise RuntimeError("LibreOffice не смог открыть документ")
    try:
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue",
                              _properties(**pdf_options))
        document.storeToURL(uno.systemPathToFileUrl(target),
                            _properties(FilterName="writer_pdf_Export", FilterData=filter_data))
    finally:
        document.close(True)


# The smallest Word document: a paragraph in a table, in the documents' typeface.
WARM_UP_DOCX = {
    "[Content_Types].xml":
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "_rels/.rels":
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        '</Relationships>',
    "word/document.xml":
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:rPr><w:rFonts w:ascii="Times New Roman" '
        'w:hAnsi="Times New Roman"/></w:rPr><w:t>Приказ</w:t></w:r></w:p></w:tc></w:tr>'
        '</w:tbl><w:p/></w:body></w:document>',
}


def _warm_up(desktop, pdf_options):
    """Convert a small DOCX, so that LibreOffice has loaded its Word import and PDF export
    before the first real document arrives; failures do not matter."""
    folder = tempfile.mkdtemp(prefix="docgen-warm-up-")
    try:
        source = os.path.join(folder, "warm-up.docx")
        with zipfile.ZipFile(source, "w") as package:
            for name, xml in WARM_UP_DOCX.items():
                package.writestr(name, xml)
        _convert(desktop, source, os.path.join(folder, "warm-up.pdf"), pdf_options)
    except Exception:  # a failed warm-up only means a slower first document
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)


PARENT_CHECK = 0.5  # seconds between looks at whether docgen still runs


def _end_with_docgen(docgen):
    """When docgen ends, however it ends (killed by the OOM killer or a CI timeout
    included), this worker and its LibreOffice end with it.

    A thread looks every PARENT_CHECK seconds whether the worker's parent is still
    docgen (a dead parent's children are handed to another process); when it is not, it
    removes LibreOffice's socket and kills the worker's own process group, which docgen
    started for it and LibreOffice runs in. (The kernel's PR_SET_PDEATHSIG would fire when
    the docgen thread that started the worker ends, which is long before docgen does.)
    """
    def watch():
        while os.getppid() == docgen:
            time.sleep(PARENT_CHECK)
        _end_all()

    threading.Thread(target=watch, daemon=True).start()


def _end_all():
    """Remove LibreOffice's socket and kill the worker's process group, LibreOffice in it."""
    with contextlib.suppress(OSError):
        os.unlink(f"/tmp/OSL_PIPE_{os.getuid()}_docgen-{os.getpid()}")
    os.killpg(os.getpgrp(), signal.SIGKILL)


def main():
    """Serve; a worker that fails (docgen gone from the other end of its pipes, most
    often) takes its LibreOffice with it."""
    _end_with_docgen(int(os.environ.get("DOCGEN_PID", os.getppid())))
    try:
        _serve()
    except BaseException:
        _end_all()
        raise


def _serve():
    """Serve conversion requests until stdin closes, then quit LibreOffice and wait for it."""
    soffice, profile, pdf_options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if importlib.util.find_spec("uno") is None:  # python3-uno removed since a worker last ran
        print(json.dumps({"ready": False, "error": NO_UNO}), flush=True)
        sys.exit(1)
    folder = urllib.parse.unquote(urllib.parse.urlsplit(profile).path)
    if len(sys.argv) > 4:  # a profile kept from an earlier run, to start on a copy of
        shutil.copytree(sys.argv[4], folder, dirs_exist_ok=True)
    _no_idle_word_work(folder)
    # the pipe's name, which docgen also knows, to remove its socket if it kills LibreOffice
    process, desktop = _start(soffice, profile, f"docgen-{os.getpid()}")
    print(json.dumps({"up": True}), flush=True)  # the profile can be kept from now on
    _warm_up(desktop, pdf_options)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            _convert(desktop, request["source"], request["target"], pdf_options)
            answer = {"ok": True}
        except Exception as exc:  # any UNO failure is reported for that document alone
            answer = {"ok": False, "error": str(exc).splitlines()[0] if str(exc) else
                      type(exc).__name__}
        print(json.dumps(answer), flush=True)
    _quit(desktop, process)


def _quit(desktop, process):
    """Ask LibreOffice to quit and wait for it: it removes its temporary files and sockets
    as it goes, which a killed one leaves behind."""
    from com.sun.star.lang import DisposedException

    with contextlib.suppress(DisposedException):  # the connection may close under the call
        desktop.terminate()
    process.wait()


if __name__ == "__main__":
    main()
