"""An .xlsx written by gridcare as plain text: every sheet's rows and cells with each cell's style spelled out
(number format, font, border, alignment, fill, protection), column widths, merges, panes, print settings,
and the charts' XML. Two workbooks that give the same text show the same cells, formats and layout in any
spreadsheet program, whatever order their styles were numbered in.

Read from the file itself, not through openpyxl's loader: the loader drops the style of a merged range's
other cells (the boxed two-row header of the first sheet), which Excel draws.

    python -m tests.workbook_shape BOOK.xlsx     prints it
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
M = "{" + NS["m"] + "}"


def _xml(el: ET.Element | None) -> str:
    if el is None:
        return "-"
    text = ET.tostring(el, encoding="unicode")
    text = re.sub(r"\s*xmlns(:\w+)?=\"[^\"]*\"", "", text)
    return re.sub(r"<(/?)\w+:", r"<\1", text)  # the namespace's prefix, whichever ElementTree chose


def _styles(book: zipfile.ZipFile) -> list[str]:
    """Each cell style (cellXfs) as the text of what it is made of."""
    root = ET.fromstring(book.read("xl/styles.xml"))
    formats = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iterfind("m:numFmts/m:numFmt", NS)}
    parts = {name: list(root.find(f"m:{name}s", NS) or []) for name in ("font", "border", "fill")}
    out = []
    for xf in root.iterfind("m:cellXfs/m:xf", NS):
        fmt = int(xf.get("numFmtId", "0"))
        bits = [f"fmt={formats.get(fmt, fmt)}"]
        for name in ("font", "border", "fill"):
            bits.append(f"{name}={_xml(parts[name][int(xf.get(name + 'Id', '0'))])}")
        bits.append(f"align={_xml(xf.find('m:alignment', NS))} protect={_xml(xf.find('m:protection', NS))}")
        out.append(" ".join(bits))
    return out


def _strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ET.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(M + "t")) for si in root.iterfind("m:si", NS)]


def shape(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        styles, strings = _styles(book), _strings(book)
        workbook = ET.fromstring(book.read("xl/workbook.xml"))
        seen: dict[str, str] = {}
        lines = [f"sheets: {[s.get('name') for s in workbook.iterfind('m:sheets/m:sheet', NS)]}",
                 f"names: {sorted(_xml(d) for d in workbook.iterfind('m:definedNames/m:definedName', NS))}"]
        sheets = sorted((n for n in book.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                        key=lambda n: int(re.findall(r"\d+", n)[0]))
        for name in sheets:
            root = ET.fromstring(book.read(name))
            lines.append(f"== {name}")
            for tag in ("sheetPr", "sheetViews", "cols", "mergeCells", "printOptions", "pageMargins", "pageSetup",
                        "rowBreaks", "drawing"):
                el = root.find(f"m:{tag}", NS)
                if tag == "mergeCells" and el is not None:  # (openpyxl keeps them in a set: any order)
                    lines.append(f"mergeCells: {sorted(c.get('ref') for c in el)}")
                elif tag == "drawing":
                    lines.append(f"drawing: {el is not None}")
                else:
                    lines.append(f"{tag}: {_xml(el)}")
            for row in root.iterfind("m:sheetData/m:row", NS):
                cells = list(row)
                attrs = {k: v for k, v in row.attrib.items() if k != "r"}
                if not cells and not attrs:  # an empty row: nothing to show (a streamed sheet writes them)
                    continue
                lines.append(f"row {row.get('r')} {sorted(attrs.items())}")
                for c in cells:
                    kind, v, f = c.get("t", "n"), c.find("m:v", NS), c.find("m:f", NS)
                    value = None if v is None else v.text
                    if kind == "s" and value is not None:
                        value = strings[int(value)]
                    elif kind == "inlineStr":
                        value = "".join(t.text or "" for t in c.iter(M + "t"))
                    formula = "" if f is None else f" formula={f.text!r}"
                    style = styles[int(c.get("s", "0"))]
                    named = seen.setdefault(style, f"S{len(seen) + 1}")  # numbered as first met, not as stored
                    lines.append(f"  {c.get('r')} {kind} {value!r}{formula} {named}")
        for name in sorted(n for n in book.namelist() if n.startswith("xl/charts/")):
            lines.append(f"== {name}")
            lines.append(_xml(ET.fromstring(book.read(name))))
    lines += ["== cell styles", *(f"{named} = {style}" for style, named in seen.items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(shape(Path(sys.argv[1])))
