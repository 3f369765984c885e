"""The results of a run: test accuracy, the confusion matrix, the misclassified gallery, export buttons."""

from __future__ import annotations

from html import escape as esc

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from .images import array_to_pixmap
from ..core import runs as runs_core
from ..core.words import count

EMPTY = ("Results appear here when a run ends: test accuracy, the confusion matrix and the examples the model "
         "got wrong.")


def trained_for(res) -> str:
    """How much a run trained: "2 epochs", or "287 of 594 batches of epoch 1" for a run stopped mid-epoch (a stop
    at batch 287 of 594 said "1 epoch")."""
    at = res.stopped_at or {}
    steps, batch, epoch = at.get("steps"), at.get("batch"), at.get("epoch")
    if res.stopped in ("stopped", "nan") and steps and batch and epoch and batch < steps:
        done = f"{count(epoch - 1, 'epoch')} and " if epoch > 1 else ""
        return f"{done}{batch:,} of {steps:,} batches of epoch {epoch}"
    return count(res.epochs_run, "epoch")


# Examples a row in the gallery: with the matrix beside them, six asked 882 px of a Results tab that has 813 at
# 1280x720 (the titles, unwrapped, asked as much)
GALLERY_COLUMNS = 4


class ResultsView(QGroupBox):
    export_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Results", parent)
        self.confusion_matrix = None
        self.label = QLabel(EMPTY)
        self.label.setWordWrap(True)
        self.confusion = QTableWidget(0, 0)
        self.confusion.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.confusion.setMinimumHeight(70)  # (with the Train panel's other minimums: a 1280x720 screen)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.confusion.verticalHeader().setSectionResizeMode(QHeaderView.Stretch)  # the matrix fills its box
        self.confusion.setTextElideMode(Qt.ElideNone)  # a diagonal count of 1,000 is not cut to "1\u2026"
        for header in (self.confusion.horizontalHeader(), self.confusion.verticalHeader()):
            header.setTextElideMode(Qt.ElideRight)  # a class name wider than its column: "blue_t\u2026", with the name
            # in its tooltip (it took the table's ElideNone and showed the middle: "olue_things")
        self.confusion.setToolTip("Rows: true class; columns: predicted class.")
        self.confusion.cellClicked.connect(self.show_cell)
        self.gallery_title = QLabel("Misclassified (predicted / true):")
        self.gallery_title.setWordWrap(True)
        self.gallery_title.setTextFormat(Qt.PlainText)  # it names classes: a folder's names, never rich text
        self.gallery = QGridLayout()
        gallery_w = QWidget()
        gallery_w.setLayout(self.gallery)
        exp = QHBoxLayout()
        self.export_buttons = []
        for fmt in ("h5", "keras", "py"):
            b = QPushButton(f"Export .{fmt}")
            b.clicked.connect(lambda checked=False, f=fmt: self.export_requested.emit(f))
            exp.addWidget(b)
            self.export_buttons.append(b)
        exp.addStretch(1)
        # its own scroll area: a run's results (the per-class line, the gallery) asked the Train panel for 900x767
        # px at 1280x720, and the panel squeezed its Start button to 16 px and cut its settings at the right
        inner = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        rb = QVBoxLayout(inner)
        rb.addWidget(self.label)
        rows = QHBoxLayout()
        matrix = QVBoxLayout()
        self.matrix_title = QLabel("Confusion matrix (rows: true class; columns: predicted)")
        self.matrix_title.setWordWrap(True)
        matrix.addWidget(self.matrix_title)
        matrix.addWidget(self.confusion, 1)
        rows.addLayout(matrix, 3)
        gal = QVBoxLayout()
        gal.addWidget(self.gallery_title)
        gal.addWidget(gallery_w)
        gal.addStretch(1)
        rows.addLayout(gal, 2)
        rb.addLayout(rows)
        rb.addLayout(exp)

    def clear(self) -> None:
        self.label.setText(EMPTY)
        self.confusion_matrix = None
        self.preds = None
        self.confusion.setRowCount(0)
        self.confusion.setColumnCount(0)
        self._empty_gallery()

    def show_outcome(self, outcome) -> None:
        res = outcome.result
        if res.test_accuracy is not None:
            self.label.setText(f"<b>Test accuracy {res.test_accuracy:.4f}</b> \u00b7 test loss "
                               f"{res.test_loss:.4f} \u00b7 {trained_for(res)} in {res.seconds:.1f} s. "
                               f"The trained weights are now in the project (Save keeps them).")
        preds = getattr(outcome, "predictions", None)
        if preds is None:
            return
        pred, true = preds
        names = outcome.data.class_names if not outcome.dataset.binary else ("0", "1")
        k = max(len(names), int(max(pred.max(), true.max())) + 1)
        cm = np.zeros((k, k), dtype=int)
        np.add.at(cm, (true, pred), 1)
        labels = self._show_matrix(cm, names)
        self.preds, self.labels, self.x_test = (pred, true), labels, outcome.dataset.x_test
        self.gallery_title.setText("Misclassified (predicted / true); click a cell of the matrix to see its examples:")
        self._fill_gallery(np.flatnonzero(pred != true)[:12])

    def show_run(self, run) -> None:
        """A stored run's scores and confusion matrix, as a reopened project keeps them (its curves are the Runs
        tab's overlay): a trained project reopened said "Results appear here when a run ends" beside its run."""
        self.clear()
        parts = [] if run.test_accuracy is None else [f"<b>test accuracy {run.test_accuracy:.4f}</b>"]
        parts += [] if run.test_loss is None else [f"test loss {run.test_loss:.4f}"]
        scores = " \u00b7 ".join(parts) or "no test scores"
        epochs = runs_core.epochs_trained(run)  # (as the Runs table counts them: 1.38 for a run stopped there)
        self.label.setText(f"Run #{run.number}, kept with the project: {scores} \u00b7 "
                           f"{epochs} epoch{'' if epochs == '1' else 's'} in {run.seconds:.1f} s.")
        cm = run.confusion
        if cm is not None and cm.ndim == 2 and cm.shape[0] <= 200:  # (a file's matrix: not a million cells)
            from ..backend.datasets import REGISTRY  # plain Python: a built-in set's classes, without loading it
            spec = REGISTRY.get(run.settings.get("dataset")) if isinstance(run.settings.get("dataset"), str) else None
            self._show_matrix(cm, spec.classes if spec else ())
            self.gallery_title.setText("Misclassified examples: shown for a run made since the project was "
                                       "opened (a project keeps no test images).")

    def _show_matrix(self, cm: np.ndarray, names) -> list[str]:
        """The matrix, coloured, and the per-class line under the scores; the class labels."""
        k = cm.shape[0]
        self.confusion_matrix = cm
        self.confusion.setRowCount(k)
        self.confusion.setColumnCount(k)
        labels = [names[i] if i < len(names) else str(i) for i in range(k)]
        self.confusion.setHorizontalHeaderLabels(labels)
        self.confusion.setVerticalHeaderLabels(labels)
        for i, label in enumerate(labels):
            self.confusion.horizontalHeaderItem(i).setToolTip(f"predicted {label}")
            self.confusion.verticalHeaderItem(i).setToolTip(f"true {label}")
        peak = max(cm.max(), 1)
        for r in range(k):
            for c in range(k):
                item = QTableWidgetItem(str(cm[r, c]))
                item.setTextAlignment(Qt.AlignCenter)
                share = cm[r, c] / peak
                base = QColor(46, 175, 98) if r == c else QColor(214, 69, 65)
                base.setAlphaF(min(0.15 + 0.85 * share, 1.0) if cm[r, c] else 0.0)
                item.setBackground(base)
                self.confusion.setItem(r, c, item)
        per_class = " \u00b7 ".join(f"{esc(labels[r])} {cm[r, r]}/{cm[r].sum()}" for r in range(k) if cm[r].sum())
        if k <= 20:  # right per true class, as a learner reads it: which classes the network gets
            self.label.setText(self.label.text() + f"<br>Right per class (test split): {per_class}")
        return labels

    def show_cell(self, row: int, col: int) -> None:
        """The test examples of one cell: true class ``row`` predicted as ``col`` (the first 12)."""
        if getattr(self, "preds", None) is None:
            return
        pred, true = self.preds
        hits = np.flatnonzero((true == row) & (pred == col))
        self.gallery_title.setText(f"True {self.labels[row]}, predicted {self.labels[col]}: "
                                   f"{count(len(hits), 'example')}" + (", the first 12:" if len(hits) > 12 else ":"))
        self._fill_gallery(hits[:12])

    def _empty_gallery(self) -> None:
        while self.gallery.count():
            w = self.gallery.takeAt(0).widget()
            if w:
                w.hide()  # at once: deleteLater waits for the event loop, and a frame drawn before it would
                w.deleteLater()  # show the old captions under the new ones

    def _fill_gallery(self, indices) -> None:
        self._empty_gallery()
        pred, true = self.preds
        labels, x_test = self.labels, self.x_test
        for i, idx in enumerate(indices):
            cell = QWidget()
            v = QVBoxLayout(cell)
            v.setContentsMargins(2, 2, 2, 2)
            img = QLabel()
            if x_test is not None and x_test.ndim in (3, 4):  # pictures (images.picture)
                img.setPixmap(array_to_pixmap(x_test[idx], 48))
            cap = QLabel(f"{labels[pred[idx]]} / {labels[true[idx]]}")
            cap.setTextFormat(Qt.PlainText)  # class names from a folder's names: never rich text
            cap.setAlignment(Qt.AlignCenter)
            v.addWidget(img, alignment=Qt.AlignCenter)
            v.addWidget(cap)
            self.gallery.addWidget(cell, i // GALLERY_COLUMNS, i % GALLERY_COLUMNS)
            cell.show()  # at once, as the old ones went (the layout would show it from the event loop)
