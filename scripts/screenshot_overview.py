"""Take docs/img/overview.png: the web view's overview of the demo ledger, in the system Chromium.

    bash scripts/demo && .venv/bin/python scripts/screenshot_overview.py

Serves ./demo with the installed `ledger serve` on a free loopback port and
saves a screenshot of `/` (nothing is downloaded: Chromium and chromedriver
are the system's, scripts/install-browser).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=zh-CN", "--hide-scrollbars"]


def main() -> None:
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    demo = REPO / "demo"
    if not (demo / "ledger.yaml").is_file():
        raise SystemExit("screenshot_overview: run `bash scripts/demo` first")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "img" / "overview.png"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    server = subprocess.Popen([str(Path(sys.executable).parent / "ledger"), "serve", "--port", str(port)], cwd=demo, env=env)
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        with tempfile.TemporaryDirectory() as profile:
            for flag in [*FLAGS, f"--user-data-dir={profile}", "--window-size=1280,800"]:
                options.add_argument(flag)
            driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
            try:
                driver.get(base)
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(1280, int(height) + 140)
                out.parent.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(out))
            finally:
                driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
