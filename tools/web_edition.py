#!/usr/bin/env python3
"""web_edition.py: the web edition of the course, build/html/ (make html).

    python3 tools/web_edition.py --out build/html --filters "tools/a.lua ..." \\
        --bibliography references.bib book.md chapters/*.md

One pandoc run reads the whole book through the same Lua filters as the PDF
(listings from the tested sources, numbering and cross-references, the
book's apparatus) and citeproc, into one document. This script cuts it into
pages, an index (title, contents, preface) and one page per chapter plus the
references, points every link at the page that holds its target, and writes
each page with pandoc's HTML writer and tools/web/page.html. KaTeX comes
from Debian's libjs-katex and fonts-katex, copied into the site; figures are
the SVG files the Makefile draws into OUT/figures/. Nothing is fetched from
the network: the site works from a file:// URL, offline.

A link to an anchor that no page defines, or a figure that was not drawn,
stops the build.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "tools", "web", "page.html")
STYLE = os.path.join(ROOT, "tools", "web", "style.css")
KATEX_JS = "/usr/share/javascript/katex"
KATEX_FONTS = "/usr/share/fonts/truetype/katex"


def die(msg):
    print(f"web edition: {msg}", file=sys.stderr)
    sys.exit(1)


def run_pandoc(args, stdin=None):
    proc = subprocess.run(["pandoc"] + args, cwd=ROOT, input=stdin, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        die(f"pandoc {' '.join(args[:3])} ... failed:\n{proc.stderr.strip()}")
    if proc.stderr.strip():
        print(proc.stderr.strip(), file=sys.stderr)
    return proc.stdout


# ---------------------------------------------------------------------------
# The pandoc AST as JSON: elements are {"t": type, "c": contents}; an Attr
# is [id, classes, key-values].

ATTR_AT = {"Header": 1, "Div": 0, "Span": 0, "Image": 0, "Link": 0, "Code": 0,
           "CodeBlock": 0, "Table": 0}


def elements(node):
    """Every element below node (a list, an element, or contents), depth first."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
        for value in node.values():
            yield from elements(value)
    elif isinstance(node, list):
        for item in node:
            yield from elements(item)


def identifier(el):
    at = ATTR_AT.get(el["t"])
    if at is None:
        return ""
    attr = el["c"][at]
    return attr[0] if isinstance(attr, list) and attr and isinstance(attr[0], str) else ""


def stringify(inlines):
    out = []
    for el in inlines:
        t, c = el["t"], el.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Code", "Math"):
            out.append(c[1])
        elif t in ("Emph", "Strong", "SmallCaps", "Strikeout", "Underline"):
            out.append(stringify(c))
        elif t == "Link" and "anchor" in c[0][1]:
            continue  # a heading's own anchor link
        elif t in ("Span", "Link"):
            out.append(stringify(c[1]))
        elif t == "Quoted":
            out.append("\u201c" + stringify(c[1]) + "\u201d")
    return "".join(out)


# ---------------------------------------------------------------------------
# Pages

class Page:
    def __init__(self, header):
        self.header = header          # the level-1 Header element
        self.blocks = [header]
        attr = header["c"][1]
        self.id = attr[0]
        self.number = dict(attr[2]).get("data-number")
        inlines = header["c"][2]
        # the title without the number span that crossref.lua put in front
        if self.number and inlines and inlines[0]["t"] == "Span":
            inlines = inlines[2:]
        self.title = stringify(inlines)
        self.file = ""

    def sections(self):
        """(id, number, title) of the page's level-2 headings."""
        for b in self.blocks:
            if b["t"] == "Header" and b["c"][0] == 2:
                attr, inlines = b["c"][1], b["c"][2]
                number = dict(attr[2]).get("data-number")
                if number:
                    inlines = inlines[2:]
                yield attr[0], number, stringify(inlines)


def split_pages(blocks):
    pages = []
    for b in blocks:
        if b["t"] == "Header" and b["c"][0] == 1:
            pages.append(Page(b))
        elif not pages:
            die("the book must start with a chapter heading (# Preface {-})")
        else:
            pages[-1].blocks.append(b)
    for k, page in enumerate(pages):
        slug = re.sub(r"^sec:", "", page.id) or f"part-{k}"
        if k == 0:
            page.file = "index.html"
        elif page.number:
            page.file = f"{int(page.number):02d}-{slug}.html"
        else:
            page.file = re.sub(r"[^a-z0-9-]+", "-", slug.lower()) + ".html"
    return pages


def add_anchors(pages):
    """A heading (below the page's title) ends with a link to itself, shown
    on hover, so that a section can be linked to."""
    for page in pages:
        for b in page.blocks:
            if b["t"] == "Header" and b["c"][0] > 1 and b["c"][1][0]:
                b["c"][2].append({"t": "Link", "c": [
                    ["", ["anchor"], [["aria-label", "link to this section"]]],
                    [{"t": "Str", "c": "#"}], ["#" + b["c"][1][0], ""]]})


def link_across_pages(pages):
    """Points every #anchor link at the page that holds the anchor."""
    where = {}
    for page in pages:
        for el in elements(page.blocks):
            ident = identifier(el)
            if ident:
                where.setdefault(ident, page.file)
    missing = set()
    for page in pages:
        for el in elements(page.blocks):
            if el["t"] != "Link":
                continue
            target = el["c"][2]
            url = target[0]
            if not url.startswith("#"):
                continue
            anchor = url[1:]
            if anchor not in where:
                missing.add(f"{page.file}: #{anchor}")
            elif where[anchor] != page.file:
                target[0] = where[anchor] + url
    if missing:
        die("links to anchors that no page defines:\n  " + "\n  ".join(sorted(missing)))


def check_figures(pages, out):
    missing = sorted({el["c"][2][0] for page in pages for el in elements(page.blocks)
                      if el["t"] == "Image"
                      and not os.path.exists(os.path.join(out, el["c"][2][0]))})
    if missing:
        die("figures not drawn (the Makefile draws them: make html): " + ", ".join(missing))


# ---------------------------------------------------------------------------
# Navigation, as raw HTML for the template

def esc(text):
    return html.escape(text, quote=True)


def page_label(page):
    return f"{page.number}\u2002{page.title}" if page.number else page.title


def sidebar(pages, current):
    items = []
    for page in pages:
        here = page is current
        cls = ' class="current"' if here else ""
        items.append(f'<li{cls}><a href="{page.file}">{esc(page_label(page))}</a>')
        if here:
            subs = [f'<li><a href="#{esc(i)}">{esc(n + chr(0x2002) if n else "")}{esc(t)}</a></li>'
                    for i, n, t in page.sections()]
            if subs:
                items.append('<ul>' + "".join(subs) + '</ul>')
        items.append("</li>")
    return '<ul class="toc">' + "".join(items) + "</ul>"


def contents(pages):
    """The index's table of contents: chapters, each with its sections."""
    rows = []
    for page in pages[1:]:
        subs = "".join(f'<li><a href="{page.file}#{esc(i)}">{esc(n + chr(0x2002) if n else "")}'
                       f'{esc(t)}</a></li>' for i, n, t in page.sections())
        rows.append(f'<li><a href="{page.file}">{esc(page_label(page))}</a>'
                    + (f"<ul>{subs}</ul>" if subs else "") + "</li>")
    return ('<nav class="contents" id="contents"><h2>Contents</h2><ol class="chapters">'
            + "".join(rows) + "</ol></nav>")


def navbar(pages, k):
    prev_ = pages[k - 1] if k > 0 else None
    next_ = pages[k + 1] if k + 1 < len(pages) else None
    parts = []
    parts.append(f'<a class="prev" rel="prev" href="{prev_.file}">\u2190 {esc(page_label(prev_))}</a>'
                 if prev_ else '<span class="prev"></span>')
    parts.append('<a class="up" href="index.html#contents">Contents</a>')
    parts.append(f'<a class="next" rel="next" href="{next_.file}">{esc(page_label(next_))} \u2192</a>'
                 if next_ else '<span class="next"></span>')
    return '<nav class="pager">' + "".join(parts) + "</nav>"


def raw(text):
    return {"t": "MetaBlocks", "c": [{"t": "RawBlock", "c": ["html", text]}]}


def meta_string(text):
    return {"t": "MetaString", "c": text}


# ---------------------------------------------------------------------------

def copy_katex(out):
    js = os.path.join(KATEX_JS, "katex.min.js")
    if not os.path.exists(js) or not os.path.isdir(KATEX_FONTS):
        die("KaTeX is missing: sh tools/setup.sh html (Debian: libjs-katex fonts-katex)")
    dest = os.path.join(out, "katex")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.join(dest, "fonts"))
    for name in ("katex.min.js", "katex.min.css"):
        shutil.copy(os.path.join(KATEX_JS, name), dest)
    for name in sorted(os.listdir(KATEX_FONTS)):
        if name.endswith((".woff2", ".woff", ".ttf")):
            shutil.copy(os.path.join(KATEX_FONTS, name), os.path.join(dest, "fonts"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="build/html")
    ap.add_argument("--filters", required=True, help="the Lua filters, in order")
    ap.add_argument("--bibliography", required=True)
    ap.add_argument("sources", nargs="+")
    args = ap.parse_args()
    out = os.path.join(ROOT, args.out)
    os.makedirs(out, exist_ok=True)

    book = json.loads(run_pandoc(
        ["--from=markdown", "--to=json"]
        + [f"--lua-filter={f}" for f in args.filters.split()]
        + ["--citeproc", f"--bibliography={args.bibliography}"] + args.sources))
    meta = book["meta"]
    pages = split_pages(book["blocks"])
    add_anchors(pages)
    link_across_pages(pages)
    check_figures(pages, out)
    copy_katex(out)
    shutil.copy(STYLE, out)

    booktitle = stringify(meta["title"]["c"])
    for k, page in enumerate(pages):
        page_meta = {
            "booktitle": meta["title"],
            "pagetitle": meta_string(booktitle if k == 0 else f"{page_label(page)} \u2013 {booktitle}"),
            "lang": meta_string("en"),
            "sidebar": raw(sidebar(pages, page)),
            "pager": raw(navbar(pages, k)),
            "date": meta["date"],
        }
        if k == 0:
            for key in ("title", "subtitle", "author", "licence"):
                if key in meta:
                    page_meta[key] = meta[key]
            page_meta["contents"] = raw(contents(pages))
        doc = {"pandoc-api-version": book["pandoc-api-version"], "meta": page_meta,
               "blocks": page.blocks}
        run_pandoc(["--from=json", "--to=html5", "--standalone", f"--template={TEMPLATE}",
                    "--katex=katex/", "--highlight-style=tango",
                    f"--output={os.path.join(out, page.file)}"], stdin=json.dumps(doc))
    print(f"web edition: {len(pages)} pages in {args.out}/ (open {args.out}/index.html)")


if __name__ == "__main__":
    main()
