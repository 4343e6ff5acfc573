#!/usr/bin/env python3
"""Edit-to-written and edit-to-served latency of `masthead serve --watch`.

Starts the server on a site, waits until it serves, then edits one article N
times and one template M times. For each edit it records the time from the
write to (a) the server's `Rebuilt` line on stderr (the new pages are in
memory: "written") and (b) the first HTTP answer that contains the new text
("served"). Prints start-up time, medians and worst cases.
"""
import argparse, os, re, shutil, socket, statistics, subprocess, sys, threading, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--site", required=True, help="site folder (it is edited, then restored)")
    ap.add_argument("--article", required=True, help="content-relative path of the article to edit")
    ap.add_argument("--url", required=True, help="URL path of that article")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--template-edits", type=int, default=5)
    ap.add_argument("--clock", default="2030-01-01", help="the `--clock` of the server (bench/lib.sh: clock_of)")
    a = ap.parse_args()
    site = os.path.abspath(a.site)
    art = os.path.join(site, "content", a.article)
    original = open(art, encoding="utf-8").read()
    tpl_dir = os.path.join(site, "templates")
    had_templates = os.path.isdir(tpl_dir)
    port = free_port()
    lines, cond = [], threading.Condition()
    t0 = time.monotonic()
    proc = subprocess.Popen([a.bin, "-s", site, "--clock", a.clock, "serve", "--watch", "--port", str(port)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    def reader():
        for line in proc.stderr:
            with cond:
                lines.append((time.monotonic(), line.rstrip())); cond.notify_all()
    threading.Thread(target=reader, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    while "<html" not in fetch(base + "/"):
        if time.monotonic() - t0 > 120: sys.exit("server did not start")
        time.sleep(0.01)
    startup = time.monotonic() - t0
    # The other pages follow the front page; note when the article's page
    # and when the last of them are served.
    while "<html" not in fetch(base + a.url):
        if time.monotonic() - t0 > 120: sys.exit("the article was not served")
        time.sleep(0.01)
    article_ready = time.monotonic() - t0
    while True:
        with cond:
            done = next((ts for ts, l in lines if l.startswith("Rendered the other")), None)
        if done is not None or time.monotonic() - t0 > 120: break
        time.sleep(0.01)
    all_ready = (done - t0) if done is not None else float("nan")

    def measure(path, write, needle):
        with cond: seen = len(lines)
        start = time.monotonic(); write()
        written = served = None
        while served is None or written is None:
            if time.monotonic() - start > 60: sys.exit("edit not picked up: " + needle)
            with cond:
                for ts, l in lines[seen:]:
                    if l.startswith("Rebuilt") and written is None: written = ts - start
                    if l.startswith("error"): sys.exit("rebuild failed: " + l)
            if served is None and needle in fetch(base + path): served = time.monotonic() - start
            time.sleep(0.002)
        time.sleep(0.2)  # let the editor-like write settle before the next edit
        return written, served

    results = {"article": [], "template": []}
    try:
        for i in range(a.edits):
            needle = f"latency-probe-{i}-{time.time_ns()}"
            results["article"].append(measure(a.url, lambda: open(art, "w", encoding="utf-8").write(original + f"\n\n{needle}\n"), needle))
        os.makedirs(tpl_dir, exist_ok=True)
        base_tpl = None
        # The built-in theme's article template, edited as a site override.
        repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        src = open(os.path.join(repo, "themes", "daily", "templates", "article.html"), encoding="utf-8").read()
        for i in range(a.template_edits):
            needle = f"template-probe-{i}-{time.time_ns()}"
            text = src.replace("{% block content %}", "{% block content %}<!-- " + needle + " -->", 1)
            results["template"].append(measure(a.url, lambda: open(os.path.join(tpl_dir, "article.html"), "w").write(text), needle))
    finally:
        open(art, "w", encoding="utf-8").write(original)
        if had_templates: os.remove(os.path.join(tpl_dir, "article.html"))
        else: shutil.rmtree(tpl_dir, ignore_errors=True)
        proc.terminate(); proc.wait()
    print(f"serve start-up (process start to first page served): {startup*1000:.0f} ms; "
          f"the article's page {article_ready*1000:.0f} ms; every page {all_ready*1000:.0f} ms")
    for kind, rs in results.items():
        if not rs: continue
        w = [r[0]*1000 for r in rs]; s = [r[1]*1000 for r in rs]
        print(f"{kind} edit x{len(rs)}: edit-to-written median {statistics.median(w):.0f} ms, worst {max(w):.0f} ms; "
              f"edit-to-served median {statistics.median(s):.0f} ms, worst {max(s):.0f} ms")

main()
