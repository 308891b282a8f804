"""A `Document` as PDF, with ReportLab (pure Python from PyPI, no system libraries): A4, page numbers, tables
that repeat their header across pages, and the same charts as the web pages drawn as vector graphics.

The text uses the DejaVu-compatible Bitstream Vera fonts that ship inside ReportLab, embedded in the file, so
German umlauts, "§" and typographic quotes print the same on every machine.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from agora.transparency.documents import BarChart, BulletList, ColumnChart, Document, Table
from agora.transparency.documents import Paragraph as DocParagraph

FONT, BOLD = "AgoraVera", "AgoraVera-Bold"
ACCENT = colors.HexColor("#3b4cca")
LIGHT = colors.HexColor("#a9b2ee")
LINE = colors.HexColor("#d5d8e0")
MUTED = colors.HexColor("#5b6170")
DANGER = colors.HexColor("#b3261e")
WIDTH = A4[0] - 40 * mm


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=5)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=20, leading=24, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, textColor=MUTED, spaceAfter=10),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=13, leading=16, spaceBefore=10, spaceAfter=6,
            textColor=ACCENT,
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontName=BOLD, fontSize=9.5, spaceBefore=4
        ),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
    }  # fmt: skip


def _text(value: str) -> str:
    return escape(value)


def _table(block: Table, styles: dict[str, ParagraphStyle]) -> list[Any]:
    data = [[Paragraph(_text(c), styles["head"]) for c in block.columns]]
    data += [[Paragraph(_text(c), styles["cell"]) for c in row] for row in block.rows]
    first = WIDTH * (0.55 if len(block.columns) == 2 else 0.3)
    rest = (WIDTH - first) / max(len(block.columns) - 1, 1)
    table = PdfTable(data, colWidths=[first] + [rest] * (len(block.columns) - 1), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0fb")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [KeepTogether([Paragraph(_text(block.caption), styles["caption"]), table]), Spacer(1, 6)]


def _bar_chart(block: BarChart) -> Drawing:
    label_width, note_width, row = 165.0, 110.0, 18.0
    bar_width = WIDTH - label_width - note_width
    height = len(block.bars) * row + 6
    drawing = Drawing(WIDTH, height)
    scale = block.scale
    for i, bar in enumerate(block.bars):
        y = height - (i + 1) * row
        label = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        drawing.add(String(label_width - 6, y + 5, label, fontName=FONT, fontSize=7.5, textAnchor="end"))
        drawing.add(
            Rect(label_width, y + 2, bar_width, 12, fillColor=None, strokeColor=LINE, strokeWidth=0.5)
        )
        if bar.extra is not None and bar.extra > bar.value:
            extra = bar_width * min(bar.extra / scale, 1)
            drawing.add(Rect(label_width, y + 2, extra, 12, fillColor=LIGHT, strokeColor=None))
        value = bar_width * min(bar.value / scale, 1)
        drawing.add(Rect(label_width, y + 2, value, 12, fillColor=ACCENT, strokeColor=None))
        if bar.marker is not None:
            x = label_width + bar_width * min(bar.marker / scale, 1)
            drawing.add(Line(x, y, x, y + 16, strokeColor=DANGER, strokeWidth=1.5))
        drawing.add(String(label_width + bar_width + 6, y + 5, bar.note, fontName=FONT, fontSize=8))
    return drawing


def _column_chart(block: ColumnChart) -> Drawing:
    left, bottom, plot_height = 24.0, 16.0, 90.0
    drawing = Drawing(WIDTH, plot_height + bottom + 6)
    count = max(len(block.values), 1)
    column = (WIDTH - left) / count
    scale = block.scale
    drawing.add(Line(left, bottom, WIDTH, bottom, strokeColor=MUTED, strokeWidth=0.5))
    drawing.add(
        String(left - 4, bottom + plot_height - 6, str(scale), fontName=FONT, fontSize=7, textAnchor="end")
    )
    drawing.add(String(left - 4, bottom, "0", fontName=FONT, fontSize=7, textAnchor="end"))
    for i, (label, value) in enumerate(zip(block.labels, block.values, strict=True)):
        h = plot_height * value / scale
        drawing.add(Rect(left + i * column + 0.5, bottom, column - 1, h, fillColor=ACCENT, strokeColor=None))
        if i % 7 == 0:
            drawing.add(String(left + i * column, 4, label, fontName=FONT, fontSize=6.5))
    return drawing


def _footer(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(20 * mm, 12 * mm, doc.title)
    canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, str(canvas.getPageNumber()))
    canvas.restoreState()


def _block(block: Any, styles: dict[str, ParagraphStyle]) -> list[Any]:
    if isinstance(block, Table):
        return _table(block, styles)
    if isinstance(block, DocParagraph):
        return [Paragraph(_text(block.text), styles["body"])]
    if isinstance(block, BulletList):
        items = [ListItem(Paragraph(_text(item), styles["body"]), leftIndent=12) for item in block.items]
        return [ListFlowable(items, bulletType="bullet", bulletFontName=FONT, leftIndent=12)]
    chart = _bar_chart(block) if isinstance(block, BarChart) else _column_chart(block)
    caption = Paragraph(_text(block.title), styles["caption"])
    description = Paragraph(_text(block.description), styles["cell"])
    return [KeepTogether([caption, description, Spacer(1, 4), chart]), Spacer(1, 6)]


def render_pdf(document: Document) -> bytes:
    """The document as a PDF file (bytes)."""
    _fonts()
    styles = _styles()
    story: list[Any] = [
        Paragraph(_text(document.title), styles["title"]),
        Paragraph(_text(document.subtitle), styles["subtitle"]),
    ]
    meta = PdfTable(
        [
            [Paragraph(_text(k), styles["head"]), Paragraph(_text(v), styles["cell"])]
            for k, v in document.meta
        ],
        colWidths=[35 * mm, WIDTH - 35 * mm],
    )
    meta.setStyle(
        TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story += [meta, Spacer(1, 8)]
    for section in document.sections:
        flowables: list[Any] = []
        for block in section.blocks:
            flowables += _block(block, styles)
        # A heading never ends a page: with less than a few lines' room left, the section starts a new one.
        story += [CondPageBreak(45 * mm), Paragraph(_text(section.title), styles["h2"]), *flowables]
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=document.title,
        author=document.meta[1][1] if len(document.meta) > 1 else "",
        lang=document.language,
    )
    pdf.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
