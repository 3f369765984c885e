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
