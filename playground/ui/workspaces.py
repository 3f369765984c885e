"""The four workspaces over one canvas: Build, Logic lab, Train, See inside.

Switching shows and hides panels and refits the canvas; it never touches the document, so a
selection or an edit survives every switch.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

WORKSPACES = ("Build", "Logic lab", "Train", "See inside")
BUILD_SIDES = (200, 400)  # the palette's and the inspector's widths beside Build's canvas
PALETTE_MIN = 150
INSPECTOR_MIN = 300  # Build's inspector gives way down to this, after the palette, before the canvas is under 480
CANVAS_MIN = 240  # a width the user dragged is kept while the canvas keeps at least this
LAB_PANEL = 560  # the Logic lab's panel at least; at 170 px the palette cut names ("DepthwiseCo...") at 1280x720
LAB_PANEL_MIN = 400  # ...down to this where the canvas would be under 480 px (its truth table whole, its fields too)
LAB_SHARE = 0.42  # of the window's width, where that is more: xnor-case2's table shows z -> a in a 1480x900 window


class Workspaces(QObject):
    switched = Signal(str)

    def __init__(self, w, parent=None):
        """``w`` is the assembled window: its pages, splitters and stacks are what a workspace arranges."""
        super().__init__(parent)
        self.w = w
        self.current = "Build"
        self._splits: dict[str, list[int]] = {}  # the canvas/bottom split each of Build and the Logic lab last had
        # the palette's and the panel's widths the user dragged in each of Build, Logic lab and Train: kept for that
        # workspace (whatever the window's width since), where the default split goes with the window's width
        self._dragged: dict[str, tuple[int, int]] = {}
        bar = self.bar = QWidget(w)
        hb = QHBoxLayout(bar)
        hb.setContentsMargins(0, 0, 8, 0)
        hb.setSpacing(2)
        self.buttons: dict[str, QPushButton] = {}
        for i, name in enumerate(WORKSPACES):
            b = QPushButton(name)
            b.setCheckable(True)
            b.setFlat(True)
            b.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            b.setToolTip(f"{name} workspace (Ctrl+{i + 1})")
            b.clicked.connect(lambda checked=False, n=name: self.set(n))
            hb.addWidget(b)
            self.buttons[name] = b
        w.menuBar().setCornerWidget(bar, Qt.TopRightCorner)

    def _split_sides(self, name: str) -> None:
        """The palette, canvas and panel widths of ``name``: what the user dragged there, if it still leaves the
        canvas room, else the workspace's own split of the window's width."""
        w = self.w
        # the splitter's own width once it is on screen (a dock beside it leaves it less: 1200 squeezed Build's
        # inspector to 200 px beside the lessons at 1280x720, its fields under the dock); 1200 before
        total = w.hsplit.width() if w.hsplit.isVisible() and w.hsplit.width() >= 2 * CANVAS_MIN else 1200
        palette, panel = self._dragged.get(name, (None, None))
        # Train beside the lessons at 1280x720 left the canvas a 125-px strip with half a card in it: where the
        # panel's least width leaves the canvas under CANVAS_MIN, Train takes it all (the canvas is back elsewhere)
        squeezed = name == "Train" and total - w.train_panel.minimumSizeHint().width() < CANVAS_MIN
        w.hsplit.setCollapsible(1, squeezed)
        if name == "Train":
            palette = 0
        if squeezed:
            w.hsplit.setSizes([0, 0, total])
        elif panel is not None and total - palette - panel >= CANVAS_MIN:  # what the user dragged, if it fits
            w.hsplit.setSizes([palette, total - palette - panel, panel])
        elif name == "Train":
            w.hsplit.setSizes([0, int(total * 0.36), int(total * 0.64)])
        elif name == "Logic lab":  # as Build: the palette, then the panel, give way before the canvas is under 480
            side = max(LAB_PANEL, round(total * LAB_SHARE))  # (beside the lessons at 1280x720 lesson 1's two cards
            palette = max(PALETTE_MIN, min(BUILD_SIDES[0], total - side - 480))  # did not fit in a 220-px canvas)
            side = max(LAB_PANEL_MIN, min(side, total - palette - 480))
            w.hsplit.setSizes([palette, total - palette - side, side])
        else:  # the palette, then the inspector, down to their least before the canvas is under 480 px (beside the
            # lessons at 1280x720 the canvas had 415 px and the layer table's Formula column wrapped into tall rows)
            palette = max(PALETTE_MIN, min(BUILD_SIDES[0], total - BUILD_SIDES[1] - 480))
            inspector = max(INSPECTOR_MIN, min(BUILD_SIDES[1], total - palette - 480))
            w.hsplit.setSizes([palette, total - palette - inspector, inspector])

    def canvas_room(self) -> None:
        """Where the network, at the smallest readable zoom, is a little taller than Build's canvas, the layer
        table under it gives up the difference, down to 110 px: at 1280x720 the first network's last card was
        cut at the bottom, under a 180-px table."""
        from .canvas.view import FIT_MARGIN, MIN_ZOOM
        w = self.w
        content = w.view.scene().content_rect()
        if content.isNull() or self.current != "Build":
            return
        bar = w.view.horizontalScrollBar()  # (shown for the rows before they were wrapped: it goes with the fit)
        have = w.view.viewport().height() + (bar.height() if bar.isVisible() else 0)
        short = math.ceil((content.height() + 2 * FIT_MARGIN) * MIN_ZOOM) + 4 - have
        canvas, table = w.vsplit.sizes()
        if 0 < short <= table - max(w.bottom_stack.minimumSizeHint().height(), 110):
            w.vsplit.setSizes([canvas + short, table - short])

    def watch(self) -> None:
        """Once the window is assembled: follow the palette/canvas/panel splitter."""
        w = self.w
        w.hsplit.splitterMoved.connect(self._user_moved)  # a drag of a handle, never setSizes
        w.hsplit.installEventFilter(self)  # a resized window re-splits what the user never dragged
        for i in range(w.hsplit.count()):
            w.hsplit.setCollapsible(i, False)  # a drag to the edge left the panel at 0 px, with no way back
        w.palette_panel.setMinimumWidth(PALETTE_MIN)  # a drag could squeeze it to 102 px, every name cut

    def eventFilter(self, obj, event) -> bool:
        if obj is self.w.hsplit and event.type() == QEvent.Resize and event.oldSize().width() != event.size().width():
            QTimer.singleShot(0, self._resplit)  # once the splitter has shared the new width out its own way
        return False

    def _resplit(self) -> None:
        if self.current != "See inside":
            self._split_sides(self.current)

    def _user_moved(self, *_args) -> None:
        if self.current != "See inside":
            sizes = self.w.hsplit.sizes()
            self._dragged[self.current] = (sizes[0], sizes[2])

    @staticmethod
    def _show_page(stack, index: int) -> None:
        """A stacked widget is as large as its largest page, hidden ones included, unless they are told to
        ignore their size: only the page shown may widen the window (the Train panel must not squeeze Build)."""
        for i in range(stack.count()):
            page = stack.widget(i)
            policy = QSizePolicy.Preferred if i == index else QSizePolicy.Ignored
            page.setSizePolicy(policy, policy)
        stack.setCurrentIndex(index)

    def set(self, name: str) -> None:
        w = self.w
        if self.current in ("Build", "Logic lab") and w.bottom_stack.isVisible():
            self._splits[self.current] = w.vsplit.sizes()
        self.current = name
        for n, b in self.buttons.items():
            b.setChecked(n == name)
            b.setStyleSheet("font-weight: bold; border-bottom: 2px solid #3D7BF2;" if n == name else "")
        if name == "See inside":
            self._show_page(w.pages, 1)
            w.inside_panel.refresh()
            self.switched.emit(name)
            return
        self._show_page(w.pages, 0)
        w.palette_panel.setVisible(name in ("Build", "Logic lab"))
        # the Logic lab's and Train's panels are built the first time they are asked for
        panel = w.logic_panel if name == "Logic lab" else w.train_panel if name == "Train" else w.inspector
        self._show_page(w.right_stack, w.right_stack.indexOf(panel))
        self._show_page(w.bottom_stack, w.bottom_stack.indexOf(w.decision_plot if name == "Logic lab" else w.summary))
        w.bottom_stack.setVisible(name != "Train")
        self._split_sides(name)
        # each keeps its own split: the decision plot starts with 42 % of the height (under a fifth, it was 190 px
        # high at 1480x900 beside a half-empty canvas), the layer table with what Build started with
        height = sum(w.vsplit.sizes()) or 840
        if name == "Logic lab":
            w.vsplit.setSizes(self._splits.get(name) or [round(height * 0.58), round(height * 0.42)])
        elif name == "Build" and name in self._splits:
            w.vsplit.setSizes(self._splits[name])
        QTimer.singleShot(0, w.view.fit_all)  # the canvas changed size: show the whole network again
        self.switched.emit(name)
