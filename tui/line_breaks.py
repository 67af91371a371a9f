"""Running text wrapped as Chinese is set: no line starts with a closing mark ("：", "，", "。", "）").

Rich and Textual fold a line of Chinese at the last cell that fits, wherever it falls, so a message
such as "……的登记码：ABCD" could put "：" at the start of the next line. Here the character before
such a mark goes down with it (the rule every Chinese typesetter follows); English breaks at spaces.
"""

from __future__ import annotations

import re

from babel.dates import get_month_names
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from storage.core.text import printable

# marks that close something or end a phrase: never the first character of a line
NO_LINE_START = frozenset("，。、；：？！）】》」』”’…,.;:?!)%")
# marks of running text: a run after a space holding one is a sentence going on, not a name
# marks that open something: never the last character of a line (they go down with what they open)
NO_LINE_END = frozenset("（【《「『“‘(")
_RUNNING = NO_LINE_START | NO_LINE_END
# an English date's month goes down with its day ("planned for⏎Jan 5, 2027", not "planned for Jan⏎5, 2027"); Chinese
# dates (1月5日) hold no space to break at
_MONTHS = frozenset([*get_month_names("abbreviated", locale="en").values(), *get_month_names("wide", locale="en").values()])
# and "e.g." its example ("…, e.g.⏎330106001." ended the setup's township code message at 80 columns)
_WITH_FIGURE = _MONTHS | {"e.g."}
LABEL_MAX = 6  # characters: a label that goes down with its figure (紧急情况, 已探访); a longer run is a sentence
# kept on one line when it fits: a key fingerprint (storage/core/keys.py), read out and compared whole, never two groups
# on one line and two on the next; and a date with its year and time as Babel writes it (the draft question read
# "…at Dec 5,⏎2026 11:43?"; in Chinese "2026年12月5日⏎11:43")
_FINGERPRINT = r"(?<![0-9A-Za-z])[0-9a-f]{4}(?: [0-9a-f]{4}){3}(?![0-9A-Za-z])"
_TIME = r"(?:,? \d{1,2}:\d{2}(?::\d{2})?(?:[ \u202f][AP]M)?)?"
_DATE = (rf"(?<![A-Za-z])(?:{'|'.join(sorted(_MONTHS, key=len, reverse=True))}) \d{{1,2}}, \d{{4}}{_TIME}"
         rf"|\d{{4}}年\d{{1,2}}月\d{{1,2}}日{_TIME}")
_WHOLE = re.compile(f"{_FINGERPRINT}|{_DATE}")


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells (line feeds kept)."""
    width = max(width, 2)
    lines: list[str] = []
    for para in text.split("\n"):
        first = len(lines)
        line = ""
        for i, ch in enumerate(para):
            if cell_len(line + ch) <= width:
                line += ch
                continue
            if (k := _before_group(line, para[i:], width)) > 0:
                lines.append(line[:k].rstrip())
                line = line[k:] + ch
            elif ch == " ":
                # a label goes down with the figure after it ("…，⏎紧急情况 0 人", not "紧急情况⏎0 人"), and a figure
                # with the word it counts ("备份之后的⏎1 项修改", not "的 1⏎项修改")
                k = _label_start(line) or _with_month(line, _figure_start(line) if _counts(para[i + 1:i + 2]) else 0) \
                    or (_month_start(line) if para[i + 1:i + 2].isdigit() else 0) or _opening(line, len(line))
                lines.append(line[:k])
                line = line[k:] + ch if k < len(line) else ""
            elif line.endswith(" ") and _counts(ch) and (k := _figure_start(line[:-1])) > 0:
                lines.append(line[:k])  # (the space before the figure stays at the end of the line above)
                line = line[k:] + ch
            elif ch in NO_LINE_START and len(line) > 1 and not line[-1].isspace():
                # marks in a row (）、) go down together, with the character before the first of them
                k = len(line) - 1
                while k > 1 and line[k] in NO_LINE_START:
                    k -= 1
                if line[k].isascii() and not line[k].isspace() and (start := _word_start(line[:k + 1])) > 0:
                    # and a word before them goes down whole ("zh_CN）", not "zh_C⏎N）"), a day with its month
                    k = _with_month(line, start)
                k = _opening(line, k)
                lines.append(line[:k].rstrip())
                line = line[k:] + ch
            elif ch.isascii() and line[-1].isascii() and not line[-1].isspace() and (start := _word_start(line)) > 0:
                # a word, a code or a number goes down whole ("（⏎100.0%）" neither), a day with its month ("Jan⏎31" neither)
                start = _opening(line, _with_month(line, start))
                lines.append(line[:start].rstrip())
                line = line[start:] + ch
            elif (space := line.rfind(" ")) > 0 and cell_len(line[space + 1:] + ch) <= width // 2 \
                    and not _RUNNING.intersection(line[space + 1:] + ch):
                # a short name after a space goes down whole ("federation⏎县妇联"); not a sentence going on after a
                # number ("有误 1。已导入…", "第 7、8 行是表尾（合计…"): that fills its line, as Chinese is set
                # and a label before the space ("：⏎重点对象 1"), or the figure the name counts ("其中⏎3 项已")
                k = _label_start(line[:space]) or _with_month(line, _figure_start(line[:space])) \
                    or (_month_start(line[:space]) if (line[space + 1:] + ch)[0].isdigit() else 0) or _opening(line, space)
                lines.append(line[:k])
                line = line[k if k < space else space + 1:] + ch
            else:
                k = _opening(line, len(line))
                lines.append(line[:k])
                line = line[k:] + ch
        lines.append(line)
        lines[first:] = _groups_whole(para, lines[first:], width)
    return [line.rstrip() for line in lines]


def _groups_whole(para: str, lines: list[str], width: int) -> list[str]:
    """`lines` of `para`, a fingerprint or a date they broke ("…key fingerprint 3985 ffab⏎0304 8b06.") gone down
    whole."""
    starts = _starts(para, lines)
    for m in _WHOLE.finditer(para):
        n = next((n for n in range(1, len(lines)) if m.start() < starts[n] < m.end()), 0)
        if n and cell_len(m.group()) < width:
            above = para[starts[n - 1]:m.start()].rstrip()
            if above:  # down whole, with what follows it
                return lines[:n - 1] + [above] + wrap(para[m.start():], width)
            # it began its line and what is written on to it did not fit ("…8b06设"): the line ends after it (going
            # down again would wrap the same text for ever)
            return lines[:n - 1] + [m.group()] + wrap(para[m.end():].lstrip(" "), width)
    return lines


def _starts(text: str, lines: list[str]) -> list[int]:
    """Where each of `lines` (wrap()'s of `text`, their breaking spaces dropped) begins in `text`."""
    starts, at = [], 0
    for line in lines:
        start = text.find(line, at) if line else at
        starts.append(at if start < 0 else start)
        at = starts[-1] + len(line)
    return starts


def broken(text: str, width: int) -> str:
    """`text` with a line feed where `wrap()` breaks its lines, nothing else changed: a space a line broke at stays,
    at the end of its line, so the text without the line feeds added is the text as it was."""
    return "\n".join(_broken(paragraph, width) for paragraph in text.split("\n"))


def _broken(paragraph: str, width: int) -> str:
    out: list[str] = []
    at = 0
    lines = wrap(paragraph, width)
    for n, (line, start) in enumerate(zip(lines, _starts(paragraph, lines), strict=True)):
        out += [paragraph[at:start], "\n" if n else "", line]
        at = start + len(line)
    out.append(paragraph[at:])
    return "".join(out)


_CLOSES = {"（": "）", "【": "】", "《": "》", "「": "」", "『": "』", "“": "”", "‘": "’", "(": ")"}


def _before_group(line: str, rest: str, width: int) -> int:
    """Where to break instead, before the opening bracket of a group the break would fall in: an example, a code or a
    figure in brackets ("（1xx xxxx xxxx），", "（100.0%），") kept on one line when it fits, with the marks after it,
    and the line above keeps half its width; 0 if none. Brackets of Chinese words alone fill their line, as Chinese is set."""
    text = line + rest
    for o, mark in enumerate(line):
        if mark not in _CLOSES or not line[:o].strip():
            continue
        end = _group_end(text, o)
        if end <= len(line) or cell_len(text[o:end]) > width or not any(c.isascii() and c.isalnum() for c in text[o:end]):
            continue
        k = _opening(line, o)
        if cell_len(line[:k].rstrip()) >= width // 2:  # not a character or two left alone above ("号⏎（1xx…")
            return k
    return 0


def _group_end(text: str, o: int) -> int:
    """The end of the bracketed group opening at `o` (after its closing bracket and the closing marks after it), or
    -1 if it does not close."""
    depth = 0
    for j in range(o, len(text)):
        if text[j] == text[o]:
            depth += 1
        elif text[j] == _CLOSES[text[o]]:
            depth -= 1
            if not depth:
                j += 1
                while j < len(text) and text[j] in NO_LINE_START:
                    j += 1
                return j
    return -1


def _opening(line: str, k: int) -> int:
    """`k`, a line's break, moved back before the opening marks (and spaces after them) that would end the line above:
    again while one is left there ("…年（  ⏎（登" would end its line with the first bracket)."""
    j = k
    while True:
        i = j
        while i > 1 and line[i - 1] == " ":
            i -= 1
        if line[i - 1:i] not in NO_LINE_END:
            return j
        while i > 1 and line[i - 1] in NO_LINE_END:
            i -= 1
        if i == j:  # (the line's first character: it stays)
            return j
        j = i


def _label_start(line: str) -> int:
    """Where a short run of Chinese that ends `line` starts, if a Chinese mark ("，", "：") stands before it; else 0."""
    start = len(line)
    while start > 0 and not line[start - 1].isascii() and line[start - 1] not in _RUNNING \
            and not line[start - 1].isspace():
        start -= 1
    if not 0 < len(line) - start <= LABEL_MAX or start < 2 or line[start - 1] not in NO_LINE_START:
        return 0
    return start


def _figure_start(line: str) -> int:
    """Where a figure that ends `line` starts ("12", "3.5", "1,200"), if a space or a Chinese character stands
    before it; else 0. A label before it goes down with it too ("，⏎紧急情况 0 人")."""
    start = _word_start(line)
    figure = line[start:]
    if not 0 < start < len(line) or not figure[0].isdigit() or not all(c.isdigit() or c in ",." for c in figure):
        return 0
    return _label_start(line[:start].rstrip()) or start


def _with_month(line: str, k: int) -> int:
    """`k`, a break before a figure, moved back before the month's name when the figure is its day; else `k`."""
    return (_month_start(line[:k]) or k) if 0 < k < len(line) and line[k].isdigit() else k


def _month_start(line: str) -> int:
    """Where a month's name that ends `line` (a space after it aside) starts, after a space; else 0. Called where the
    next line would start with a figure: the day, which the month goes down with."""
    name = line.rstrip(" ")
    start = _word_start(name)
    return start if 0 < start and name[start:] in _WITH_FIGURE else 0


def _counts(ch: str) -> bool:
    """`ch` begins the Chinese word a figure before it counts (项, 个, 人): not a mark, not Latin."""
    return bool(ch) and not ch.isascii() and not ch.isspace() and ch not in _RUNNING


def _word_start(line: str) -> int:
    """Where the run of letters, digits and dashes that ends `line` starts (after a space or a Chinese character)."""
    start = len(line)
    while start > 0 and line[start - 1].isascii() and not line[start - 1].isspace():
        start -= 1
    return start


class Typeset:
    """A styled line (a field's bold name and its value) wrapped by `wrap()`, its styles kept.

    Rich folds a Text at the last cell that fits, so a resident page line such as 救助补贴：……（未记录起止日期）
    could leave "）" alone at the start of the next line.
    """

    def __init__(self, text: Text) -> None:
        # a field's value came from a bundle, which may hold escapes: each is drawn as '?' (one character for
        # one, so the styles' spans still fit)
        safe = printable(text.plain, multiline=True)
        if safe != text.plain:
            text = text.copy()
            text.plain = safe
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        plain = self.text.plain
        lines = wrap(plain, options.max_width)
        for line, start in zip(lines, _starts(plain, lines), strict=True):
            piece = self.text[start:start + len(line)]
            piece.end = "\n"
            yield piece

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in self.text.plain.split("\n")), default=0)
        return Measurement(min(widest, 4), widest)

    def __str__(self) -> str:
        return self.text.plain


def typeset(items: list) -> list:
    """`items` (lines of a page section) with every Text among them wrapped as Chinese is set."""
    return [Typeset(item) if isinstance(item, Text) else item for item in items]


def Wrapped(text: str, style: str = "") -> Typeset:  # noqa: N802 (used as the renderable's name)
    """`text` (data allowed: never markup, no control characters) wrapped by `wrap()`."""
    return Typeset(Text(printable(text, multiline=True), style=style))
