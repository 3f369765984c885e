"""Counting the work a table does, where a timing would be a flaky test: how often it measures a cell."""

from PySide6.QtWidgets import QProxyStyle, QStyle


class CountingStyle(QProxyStyle):
    """Set on a table view: counts how often it measures a cell (Qt's item delegate asks the style for each cell
    it sizes, ``CT_ItemViewItem``)."""

    def __init__(self):
        super().__init__()
        self.measured = 0

    def sizeFromContents(self, kind, option, size, widget=None):
        if kind == QStyle.CT_ItemViewItem:
            self.measured += 1
        return super().sizeFromContents(kind, option, size, widget)


def text_height(label) -> float:
    """The height a label's text needs at the width it has (rich text laid out as Qt lays it out)."""
    from PySide6.QtGui import QTextDocument
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setDocumentMargin(0)
    doc.setHtml(label.text())
    doc.setTextWidth(label.contentsRect().width())
    return doc.size().height()


def image_folder(folder, classes, per_class: int, size=(8, 8), mode="L"):
    """``folder`` with one sub-folder of ``per_class`` small images per class name: an image folder dataset."""
    from PIL import Image
    for name in classes:
        (folder / name).mkdir(parents=True)
        for i in range(per_class):
            Image.new(mode, size, 60 * i if mode == "L" else (60 * i, 90, 30)).save(folder / name / f"{i}.png")
    return folder
