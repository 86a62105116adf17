#!/usr/bin/env python3
"""Renders a funnel HTML report in headless Chromium and describes the pictures as JSON.

Used by the HTML render tests (Tests/FunnelCLITests/HTMLRenderTests.swift), which know what the
report should show and compare it with what this prints:

  light   the page as a reader sees it: size, background colour, share of non-background pixels,
          number of distinct colours (a blank or unstyled page has few)
  dark    the same with the dark colour scheme (Chromium's --force-dark-mode)
  marks   the page with every text and rule hidden, so that only the charts' marks remain: per
          named colour (--colour NAME=#rrggbb, repeatable) the number of solid blocks of that
          exact colour (bars, swatches; 4-connected, at least 4 pixels) and its pixel count (lines)

usage: html_render_check.py REPORT.html --colour step=#3d6fd8 ... [--chromium PATH] [--height PX]
Needs Pillow (make html-tools installs it into .build/sql-venv) and Chromium.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

WIDTH = 1280
# Hides what is not a chart mark: text (colour transparent, SVG text gone), table rules, grid lines.
MARKS_ONLY = ("<style>*{color:transparent!important;border-color:transparent!important;"
              "text-decoration:none!important}svg text{display:none}svg .grid,svg .zero{display:none}</style>")


def find_chromium(given):
    for name in [given, os.environ.get("FUNNEL_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]:
        if name and shutil.which(name):
            return shutil.which(name)
    sys.exit("html_render_check: no Chromium found (apt-get install chromium, or FUNNEL_CHROMIUM)")


def screenshot(chromium, html_path, png_path, height, dark):
    args = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--force-device-scale-factor=1", f"--window-size={WIDTH},{height}",
            f"--screenshot={png_path}"]
    if dark:
        args.append("--force-dark-mode")
    args.append("file://" + os.path.abspath(html_path))
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if done.returncode != 0 or not os.path.exists(png_path):
        sys.exit("html_render_check: chromium failed: " + done.stderr.decode(errors="replace")[-2000:])
    return Image.open(png_path).convert("RGB")


def hex_colour(rgb):
    return "#%02x%02x%02x" % rgb


def describe_page(img):
    w, h = img.size
    background = img.getpixel((2, 2))
    colours = img.getcolors(maxcolors=w * h) or []
    ink = sum(n for n, c in colours if c != background)
    return {"size": [w, h], "background": hex_colour(background), "inkFraction": ink / float(w * h),
            "distinctColours": len(colours)}


def blocks(img, rgb):
    """Solid 4-connected blocks of exactly this colour, at least 4 pixels each, and all its pixels."""
    w, _ = img.size
    data = img.tobytes()
    pattern = bytes(rgb)
    found = set()
    at = data.find(pattern)
    while at >= 0:
        if at % 3 == 0:
            found.add(at // 3)
        at = data.find(pattern, at + 1)
    seen = set()
    count = 0
    for start in found:
        if start in seen:
            continue
        stack, size = [start], 0
        seen.add(start)
        while stack:
            p = stack.pop()
            size += 1
            x = p % w
            for q in (p - w, p + w, p - 1 if x > 0 else -1, p + 1 if x < w - 1 else -1):
                if q >= 0 and q in found and q not in seen:
                    seen.add(q)
                    stack.append(q)
        if size >= 4:
            count += 1
    return {"components": count, "pixels": len(found)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--colour", action="append", default=[], help="NAME=#rrggbb")
    ap.add_argument("--chromium")
    ap.add_argument("--height", type=int, default=4000)
    a = ap.parse_args()
    chromium = find_chromium(a.chromium)
    with tempfile.TemporaryDirectory(prefix="funnel-html-") as folder:
        light = screenshot(chromium, a.report, os.path.join(folder, "light.png"), a.height, dark=False)
        dark = screenshot(chromium, a.report, os.path.join(folder, "dark.png"), a.height, dark=True)
        with open(a.report, encoding="utf-8") as f:
            page = f.read()
        marks_html = os.path.join(folder, "marks.html")
        with open(marks_html, "w", encoding="utf-8") as f:
            f.write(page.replace("</head>", MARKS_ONLY + "</head>", 1))
        marks = screenshot(chromium, marks_html, os.path.join(folder, "marks.png"), a.height, dark=False)
        out = {"light": describe_page(light), "dark": describe_page(dark), "marks": {}}
        for spec in a.colour:
            name, _, value = spec.partition("=")
            value = value.lstrip("#")
            rgb = tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
            out["marks"][name] = blocks(marks, rgb)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
