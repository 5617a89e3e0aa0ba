#!/usr/bin/env python3
"""Render a `tmux capture-pane -p -e -N` capture (text with SGR escapes) to a PNG.

Used by scripts/screenshots. Each cell is drawn on a fixed grid so that what the terminal
showed is what the picture shows: 16/256/true colours, bold, dim, reverse and underline;
box-drawing lines and block elements are drawn as geometry so borders join without gaps;
glyphs missing from DejaVu Sans Mono (e.g. the ⧗ pending mark) fall back to DejaVu Sans,
then Symbola.

usage: ansi-png.py CAPTURE.txt OUT.png --cols 120 --rows 32 [--title TEXT] [--font-size 15]
"""

import argparse
import os
import re
import unicodedata

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/ancient-scripts"]
REGULAR = ["DejaVuSansMono.ttf", "DejaVuSans.ttf", "Symbola_hint.ttf"]
BOLD = ["DejaVuSansMono-Bold.ttf", "DejaVuSans-Bold.ttf", "Symbola_hint.ttf"]

# A Tango-like palette on a dark background: close to what most terminals ship with.
BASE16 = [
    (0x1A, 0x1A, 0x1A), (0xCC, 0x00, 0x00), (0x4E, 0x9A, 0x06), (0xC4, 0xA0, 0x00),
    (0x34, 0x65, 0xA4), (0x75, 0x50, 0x7B), (0x06, 0x98, 0x9A), (0xD3, 0xD7, 0xCF),
    (0x6A, 0x6E, 0x69), (0xEF, 0x29, 0x29), (0x8A, 0xE2, 0x34), (0xFC, 0xE9, 0x4F),
    (0x72, 0x9F, 0xCF), (0xAD, 0x7F, 0xA8), (0x34, 0xE2, 0xE2), (0xEE, 0xEE, 0xEC),
]
DEFAULT_FG = (0xD3, 0xD7, 0xCF)
DEFAULT_BG = (0x16, 0x18, 0x1D)
CHROME = (0x2B, 0x2E, 0x35)


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return (level, level, level)


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "reverse", "underline")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.reverse = self.underline = False

    def copy(self):
        other = Style()
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        return other

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c in (4, 21):
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                colour = None
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = xterm256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = tuple(codes[i + 2 : i + 5])
                    i += 4
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def colours(self):
        fg = self.fg or DEFAULT_FG
        bg = self.bg or DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


ESCAPE = re.compile(r"\x1b\[([0-9;:]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]")


def cell_width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text, cols, rows):
    grid = [[(" ", Style()) for _ in range(cols)] for _ in range(rows)]
    style = Style()
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        pos = 0
        while pos < len(line):
            match = ESCAPE.match(line, pos)
            if match:
                if match.group(2) == "m":
                    style.apply(match.group(1).replace(":", ";"))
                pos = match.end()
                continue
            ch = line[pos]
            pos += 1
            width = cell_width(ch)
            if width == 0 or x >= cols:
                continue
            grid[y][x] = (ch, style.copy())
            if width == 2 and x + 1 < cols:
                grid[y][x + 1] = ("", style.copy())
            x += width
        # Cells past the captured text keep the default style, as in the terminal.
    return grid


# Box drawing as (left, right, up, down) arms: 1 light, 2 heavy.
BOX = {
    "─": (1, 1, 0, 0), "━": (2, 2, 0, 0), "│": (0, 0, 1, 1), "┃": (0, 0, 2, 2),
    "┌": (0, 1, 0, 1), "┐": (1, 0, 0, 1), "└": (0, 1, 1, 0), "┘": (1, 0, 1, 0),
    "╭": (0, 1, 0, 1), "╮": (1, 0, 0, 1), "╰": (0, 1, 1, 0), "╯": (1, 0, 1, 0),
    "┏": (0, 2, 0, 2), "┓": (2, 0, 0, 2), "┗": (0, 2, 2, 0), "┛": (2, 0, 2, 0),
    "├": (0, 1, 1, 1), "┤": (1, 0, 1, 1), "┬": (1, 1, 0, 1), "┴": (1, 1, 1, 0), "┼": (1, 1, 1, 1),
}


class Fonts:
    def __init__(self, size):
        self.size = size
        self.faces = {}
        self.cmaps = {}
        for bold, names in ((False, REGULAR), (True, BOLD)):
            chain = []
            for name in names:
                path = find_font(name)
                if path is None:
                    continue
                if path not in self.cmaps:
                    self.cmaps[path] = set(TTFont(path, fontNumber=0, lazy=True).getBestCmap().keys())
                chain.append((path, ImageFont.truetype(path, size)))
            if not chain:
                raise SystemExit(f"ansi-png: no font found ({names[0]}); install fonts-dejavu-core")
            self.faces[bold] = chain
        mono = self.faces[False][0][1]
        ascent, descent = mono.getmetrics()
        self.cell_w = round(mono.getlength("M"))
        self.cell_h = ascent + descent
        self.ascent = ascent
        self.cache = {}

    def face(self, ch, bold, width):
        key = (ch, bold, width)
        if key in self.cache:
            return self.cache[key]
        chain = self.faces[bold]
        path, font = next(((p, f) for p, f in chain if ord(ch) in self.cmaps[p]), chain[0])
        if path != chain[0][0]:
            # A fallback glyph is shrunk until it fits its cells, so columns stay aligned.
            size = self.size
            while size > 6 and ImageFont.truetype(path, size).getlength(ch) > self.cell_w * width:
                size -= 1
            font = ImageFont.truetype(path, size)
        self.cache[key] = font
        return font


def find_font(name):
    for folder in FONT_DIRS:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def draw_box(draw, ch, x, y, w, h, colour):
    left, right, up, down = BOX[ch]
    cx, cy = x + w // 2, y + h // 2
    # Every arm covers the centre square, so corners and tees join without a notch.
    core = 1 if max(BOX[ch]) == 1 else 3
    lo, hi = -(core // 2), core - 1 - core // 2
    for arm, (x0, y0, x1, y1) in (
        (left, (x, cy, cx + hi, cy)),
        (right, (cx + lo, cy, x + w - 1, cy)),
        (up, (cx, y, cx, cy + hi)),
        (down, (cx, cy + lo, cx, y + h - 1)),
    ):
        if not arm:
            continue
        t = 1 if arm == 1 else 3
        a, b = -(t // 2), t - 1 - t // 2
        if y0 == y1:
            draw.rectangle((x0, y0 + a, x1, y0 + b), fill=colour)
        else:
            draw.rectangle((x0 + a, y0, x0 + b, y1), fill=colour)


def draw_block(draw, ch, x, y, w, h, colour):
    code = ord(ch)
    if code == 0x2588:
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=colour)
    elif code == 0x2580:
        draw.rectangle((x, y, x + w - 1, y + h // 2 - 1), fill=colour)
    elif 0x2581 <= code <= 0x2587:  # lower eighths
        eighths = code - 0x2580
        draw.rectangle((x, y + h - h * eighths // 8, x + w - 1, y + h - 1), fill=colour)
    elif 0x2589 <= code <= 0x258F:  # left eighths
        eighths = 0x2590 - code
        draw.rectangle((x, y, x + max(1, w * eighths // 8) - 1, y + h - 1), fill=colour)
    else:
        return False
    return True


def render(grid, cols, rows, fonts, title, out):
    pad = 14
    bar = 30 if title is not None else 0
    cw, ch_ = fonts.cell_w, fonts.cell_h
    width, height = cols * cw + 2 * pad, rows * ch_ + 2 * pad + bar
    image = Image.new("RGB", (width, height), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    if title is not None:
        draw.rectangle((0, 0, width, bar), fill=CHROME)
        for i, colour in enumerate(((0xED, 0x6A, 0x5E), (0xF5, 0xBF, 0x4F), (0x61, 0xC5, 0x54))):
            cx = 18 + i * 20
            draw.ellipse((cx - 6, bar // 2 - 6, cx + 6, bar // 2 + 6), fill=colour)
        label_font = fonts.faces[False][0][1]
        draw.text((width / 2, bar / 2), title, fill=(0xA0, 0xA4, 0xAB), font=label_font, anchor="mm")
    top = bar + pad
    for y in range(rows):
        for x in range(cols):
            text, style = grid[y][x]
            fg, bg = style.colours()
            px, py = pad + x * cw, top + y * ch_
            span = 2 if x + 1 < cols and grid[y][x + 1][0] == "" and text not in ("", " ") else 1
            if bg != DEFAULT_BG:
                draw.rectangle((px, py, px + cw * (2 if text == "" else 1) - 1, py + ch_ - 1), fill=bg)
            if text in ("", " "):
                continue
            if text in BOX:
                draw_box(draw, text, px, py, cw, ch_, fg)
            elif not draw_block(draw, text, px, py, cw, ch_, fg):
                font = fonts.face(text, style.bold, span)
                draw.text((px + cw * span / 2, py + fonts.ascent), text, fill=fg, font=font, anchor="ms")
            if style.underline:
                draw.line((px, py + ch_ - 2, px + cw * span - 1, py + ch_ - 2), fill=fg)
    # A palette keeps the file small; FASTOCTREE keeps the few saturated colours exact enough.
    image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    image.save(out, optimize=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("out")
    parser.add_argument("--cols", type=int, default=120)
    parser.add_argument("--rows", type=int, default=32)
    parser.add_argument("--font-size", type=int, default=15)
    parser.add_argument("--title")
    parser.add_argument("--trim", action="store_true", help="drop empty rows at the bottom (shell output)")
    args = parser.parse_args()
    with open(args.capture, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    grid = parse(text, args.cols, args.rows)
    rows = args.rows
    if args.trim:
        while rows > 1 and all(cell[0] in ("", " ") for cell in grid[rows - 1]) and all(
            cell[0] in ("", " ") for cell in grid[rows - 2]
        ):
            rows -= 1
        grid = grid[:rows]
    render(grid, args.cols, rows, Fonts(args.font_size), args.title, args.out)


if __name__ == "__main__":
    main()
