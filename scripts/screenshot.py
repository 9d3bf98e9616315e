"""Take the README's screenshot of a built page: python scripts/screenshot.py out/graph.html docs/page.png"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(page_path: str, png: str) -> None:
    """Open the page in Debian's chromium, click the most connected edge and save a screenshot."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_function("window.kgPage && window.kgPage.ready === true", timeout=60_000)
        edges = page.evaluate("window.kgPage.visibleEdgeIds()")
        if edges:
            pos = page.evaluate("(id) => window.kgPage.domPositionOfEdge(id)", edges[0])
            if pos:
                page.mouse.click(pos["x"], pos["y"])
        page.screenshot(path=png)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
