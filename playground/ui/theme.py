"""Colours and fonts shared by the canvas and panels; light and dark follow the system palette."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette, QTextDocument
from PySide6.QtWidgets import QLabel

CATEGORY_COLOURS = {
    "input": "#4C7BE5", "core": "#7A8699", "convolution": "#E8833A", "pooling": "#1BA39C",
    "regularisation": "#9B59B6", "augmentation": "#C2185B", "merge": "#2F95D0", "logic": "#2EAF62",
}
ERROR = QColor("#D64541")
WARNING = QColor("#E5A323")
OK = QColor("#2EAF62")
ACCENT = QColor("#3D7BF2")


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#888888"))


def is_dark() -> bool:
    pal = QGuiApplication.palette()
    return pal.color(QPalette.Window).lightness() < 128


def card_colours() -> dict[str, QColor]:
    pal = QGuiApplication.palette()
    dark = is_dark()
    return {
        "card": QColor("#2B2F36") if dark else QColor("#FFFFFF"),
        "border": QColor("#454B55") if dark else QColor("#C9CED6"),
        "text": pal.color(QPalette.Text) if not dark else QColor("#E8EAED"),
        "muted": QColor("#9AA0A6") if dark else QColor("#6B7280"),
        "canvas": QColor("#1F2227") if dark else QColor("#F4F5F7"),
        "grid": QColor("#2A2E34") if dark else QColor("#E1E4E8"),
        "edge": QColor("#8A93A0") if dark else QColor("#7D8590"),
    }


def mono_font(point_size: float = 9.0) -> QFont:
    f = QFontDatabase.systemFont(QFontDatabase.FixedFont)
    f.setPointSizeF(point_size)
    return f


def ui_font(point_size: float = 9.5, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f


def apply_theme(app, mode: str = "system") -> None:
    """Fusion style everywhere (same look on every OS); a dark palette when asked or when the system is dark."""
    app.setStyle("Fusion")
    if mode == "dark" or (mode == "system" and is_dark()):
        pal = QPalette()
        for role, colour in [(QPalette.Window, "#24272C"), (QPalette.WindowText, "#E8EAED"),
                             (QPalette.Base, "#1C1F23"), (QPalette.AlternateBase, "#272B30"),
                             (QPalette.Text, "#E8EAED"), (QPalette.Button, "#2D3137"),
                             (QPalette.ButtonText, "#E8EAED"), (QPalette.Highlight, "#3D7BF2"),
                             (QPalette.HighlightedText, "#FFFFFF"), (QPalette.ToolTipBase, "#2D3137"),
                             (QPalette.ToolTipText, "#E8EAED"), (QPalette.PlaceholderText, "#8A9099")]:
            pal.setColor(role, QColor(colour))
        # disabled widgets must look disabled: dim text, flat button face (Fusion's defaults for a dark
        # palette leave a disabled Stop looking exactly like the enabled Start)
        for role, colour in [(QPalette.WindowText, "#6B7078"), (QPalette.Text, "#6B7078"),
                             (QPalette.ButtonText, "#6B7078"), (QPalette.Button, "#25282D"),
                             (QPalette.Light, "#25282D"), (QPalette.Base, "#202328")]:
            pal.setColor(QPalette.Disabled, role, QColor(colour))
        app.setPalette(pal)
    elif mode == "light":
        app.setPalette(app.style().standardPalette())
    app_type(app)


def app_type(app) -> None:
    """The app's body type, 9.5 pt at least (``TYPE["body"]``). Set before the window is built as well: a widget
    with a style sheet of its own keeps the font it was made with when the app's font changes later."""
    font = app.font()
    if font.pointSizeF() < TYPE["body"]:
        font.setPointSizeF(TYPE["body"])
        app.setFont(font)


def restyle_plots(root) -> None:
    """Give every pyqtgraph plot under ``root`` the current theme's card background, axes and title colours
    (plots take their colours when made; a theme switch must reach them too)."""
    import pyqtgraph as pg
    c = card_colours()
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(c["card"])
        if isinstance(view, pg.PlotWidget):
            item = view.getPlotItem()
            for name in ("left", "bottom"):
                item.getAxis(name).setTextPen(c["text"])
                item.getAxis(name).setPen(c["muted"])
            if item.legend is not None:
                item.legend.setBrush(legend_brush(c))
            if item.titleLabel.text:
                item.setTitle(item.titleLabel.text, color=c["text"].name())


# One spacing and type scale for every workspace (points for type, pixels for space).
MARGIN = 12  # around a page's content
SPACING = 8  # between widgets in a row or a column
GAP = 16  # between groups (columns of a page, a figure and the next)
TYPE = {"small": 8.5, "body": 9.5, "title": 11.0, "heading": 13.0}


def legend_brush(colours: dict):
    """A plot legend's background: the plot's own colour, nearly opaque (a curve under it leaves it readable)."""
    import pyqtgraph as pg  # noqa: PLC0415 - only where plots are made
    c = QColor(colours["card"])
    c.setAlpha(200)
    return pg.mkBrush(c)


class LinesLabel(QLabel):
    """A label that always keeps room for ``lines`` lines of its text, in the type of the moment (the theme sets
    the app's font after the window is built), so what is below it never moves when a message grows or shrinks.
    Rich-text lines are measured as rich text: they are taller than ``fontMetrics().lineSpacing()``.

    Word-wrapped, its minimum is also the height its text needs at the width it has, where that is more: a layout
    gives a QLabel the height of its size hint, not of its height for width (in a dock, or in a panel that gives
    height up), so a three-line message showed its first line. (A minimum set with setMinimumHeight would also bound
    QLabel's own height for width from below, so it could grow and never shrink back: it is minimumSizeHint.)"""

    def __init__(self, text: str = "", lines: int = 1, parent=None):
        super().__init__(text, parent)
        self.lines = lines
        self._reserved = 0
        self._reserve()

    def _reserve(self) -> None:
        if self.lines:
            doc = QTextDocument()
            doc.setDefaultFont(self.font())
            doc.setDocumentMargin(0)
            doc.setHtml("<br>".join("x" * self.lines))
            self._reserved = math.ceil(doc.size().height())
        self.updateGeometry()

    def heightForWidth(self, width: int) -> int:  # what a layout asks of a word-wrapped label: the lines reserved too
        height = super().heightForWidth(width)
        return max(height, self._reserved) if height >= 0 else height

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        need = super().heightForWidth(max(self.width(), 1)) if self.wordWrap() and self.text() else 0
        return QSize(hint.width(), max(need, self._reserved, 0 if self.wordWrap() else hint.height()))

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():  # its height for this width
            self.updateGeometry()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.FontChange:
            self._reserve()
        super().changeEvent(event)


class FittingLabel(LinesLabel):
    """A word-wrapped label as high as its text needs at its width, and no more (no lines reserved)."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, 0, parent)
        self.setWordWrap(True)
