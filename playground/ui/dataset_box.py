"""The Train workspace's data box: which dataset (a document setting), a strip of its first examples, and
what the network will be fed ("10,000 training + 2,000 test examples of 28x28 -> Input 28x28x1 ...").

The user's own data: an image folder (a folder dialog, "Your own image folder..."), a .npz or .csv file
("Your own file..."), or a path typed in the path field. A folder shows its classes with their image
counts and a few examples each, and how the images are resized to the model's Input."""

from __future__ import annotations

import os
from html import escape as esc
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from ..core.errors import PlaygroundError
from ..core.words import count, head_advice
from .data_list import FILE, FOLDER, DataList, path_is, remember_chosen, stamp
from .plain_text import tip
from .images import array_to_pixmap
from .theme import FittingLabel, LinesLabel

PREVIEWABLE = ("mnist-sample",)
MAX_CLASSES_SHOWN = 6  # classes previewed side by side; the rest are counted
THUMBS = 3  # examples shown per class


class DatasetBox(QGroupBox):
    problem_changed = Signal()  # ``problem``: why the data as chosen cannot train this network, or None

    def __init__(self, doc, settings=None, parent=None):
        super().__init__("Data", parent)
        self.doc = doc
        self.settings = settings  # the window's QSettings: where the user's data was last found
        self._asking = False  # a dialog for the user's own data is open
        self.problem: str | None = None
        self._feeds_stale = False  # the network changed while the box was hidden: its line is rewritten when shown
        self._preview = None
        self._preview_stale = True
        self._folder = None  # (classes, first image size, grey) of an image folder, once read
        self._reading: str | None = None  # the folder being read in the worker
        self._shown = None  # what the preview was read from (see _stamp)
        self.dataset = DataList()
        from ..backend.datasets import REGISTRY  # plain Python: the registry imports no Keras
        for key, spec in REGISTRY.items():
            self.dataset.addItem(spec.title, key)
            self.dataset.setItemData(self.dataset.count() - 1, spec.description, Qt.ToolTipRole)
        self.dataset.addItem("Your own image folder\u2026", FOLDER)
        self.dataset.setItemData(self.dataset.count() - 1, "A folder with one sub-folder of images per class "
                                 "(cats/, dogs/ ...): fine-tune a model on your own pictures.", Qt.ToolTipRole)
        self.dataset.addItem("Your own file\u2026", FILE)
        self.dataset.setItemData(self.dataset.count() - 1, "A .npz (x_train, y_train[, x_test, y_test]) or a CSV "
                                 "of label,pixel0..pixelN.", Qt.ToolTipRole)
        self.dataset.setToolTip("What to learn from. The built-in digit sample works offline.")
        self.path = QLineEdit()
        self.path.setPlaceholderText("\u2026or type an image folder, .npz or .csv path and press Enter")
        self.path.setToolTip("The dataset's folder or file; type or paste a path and press Enter to use it.")
        self.folder_btn = QPushButton("Folder\u2026")
        self.folder_btn.setToolTip("Choose an image folder: one sub-folder of images per class.")
        self.allow_btn = QPushButton("Use this data")  # a path a file named, not read until the user says so
        self.allow_btn.setToolTip("Read the data this project names (nothing there is read until you do).")
        self.allow_btn.hide()
        self.folder_info = FittingLabel()  # a folder's classes and counts
        self.folder_info.hide()
        self.strip = QHBoxLayout()
        self.strip.setSpacing(3)
        self.feeds = LinesLabel("", lines=2)  # two lines held: the Train panel's minimum height is its real one
        self.feeds.setWordWrap(True)
        dl = QVBoxLayout(self)
        dl.addWidget(self.dataset)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.allow_btn)
        path_row.addWidget(self.folder_btn)
        dl.addLayout(path_row)
        dl.addWidget(self.folder_info)
        strip_w = QWidget()
        strip_w.setLayout(self.strip)
        dl.addWidget(strip_w)
        dl.addWidget(self.feeds)
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.dataset.activated.connect(self._on_activated)
        self.dataset.own_chosen.connect(self._choose_own)
        self.dataset.installEventFilter(self)
        self.path.returnPressed.connect(self._on_path_typed)
        self.folder_btn.clicked.connect(self.choose_folder)
        self.allow_btn.clicked.connect(lambda: self.use_path(self.dataset.currentData()))
        doc.data_allowed.connect(lambda: self.load(self.doc.training.get("dataset", "mnist-sample")))  # (any allowing)
        doc.changed.connect(self._update_feeds)

    def _edit(self, key: str, value) -> None:
        from .document import SettingError
        try:
            self.doc.set_setting("training", key, value)
        except SettingError as exc:
            self.feeds.setText(f"<span style='color:#D64541'>{esc(str(exc))}</span>")

    def load(self, key: str) -> None:
        """Show the document's dataset (model -> view: nothing echoes as an edit)."""
        self.dataset.blockSignals(True)
        i = self.dataset.findData(key)
        if i < 0:
            self._add_path_item(str(key))
            i = self.dataset.findData(key)
        self.dataset.setCurrentIndex(i)
        self.dataset.blockSignals(False)
        if self._preview is not None and not self._preview_stale and self._shown == stamp(key):
            self._update_feeds()  # the set already shown (another setting changed): not read again
            return
        self._preview_stale = True
        if self.isVisible():
            self._on_dataset_changed()

    def showEvent(self, event):
        if self._preview_stale:
            self._on_dataset_changed()  # loading the sample costs ~50 ms: only when the box is seen
        elif self._feeds_stale:  # and Start: "3 classes but 10 units" after the head had 3)
            self._update_feeds()
        super().showEvent(event)

    def _add_path_item(self, path: str) -> None:
        """A user path as a combo entry, above the two "your own ..." entries (shown by its name)."""
        if self.dataset.findData(path) >= 0:
            return
        at = self.dataset.findData(FOLDER)
        was = self.dataset.blockSignals(True)  # an entry put above the current one moves its row: not a new choice
        self.dataset.insertItem(at, Path(path).name or path, path)  # (it asked for the folder a second time)
        self.dataset.setItemData(at, tip(path), Qt.ToolTipRole)
        self.dataset.blockSignals(was)

    def _on_activated(self, index: int) -> None:
        """A choice in the open list (a click, or Enter on it): the "your own" entries open their dialog."""
        if not self.dataset.keyed:
            self._choose_own(self.dataset.itemData(index))

    def _choose_own(self, which) -> None:
        self._asking = True  # the dialog takes the focus: the list is not being left
        try:
            if which == FOLDER:
                self.choose_folder()
            elif which == FILE:
                self._choose_file()
        finally:
            self._asking = False

    def eventFilter(self, watched, event):
        """Leaving the list while it rests on a "your own" entry, unopened: it shows the data chosen again."""
        if watched is self.dataset and event.type() == QEvent.FocusOut and not self._asking and \
                event.reason() != Qt.PopupFocusReason and self.dataset.currentData() in (FOLDER, FILE):
            self.load(self.doc.training.get("dataset", "mnist-sample"))
        return super().eventFilter(watched, event)

    def _start_dir(self, kind: str) -> str:
        """Where a dialog for the user's own data opens: the data chosen now when it is the user's, else where the
        user's data was last found (this window or an earlier one), else the home folder (never the folder the app
        happened to be started from)."""
        current = self.doc.training.get("dataset", "")
        if isinstance(current, str) and current not in self.registry_keys and path_is(current, Path.exists):
            return str(Path(current).parent)  # beside it: a folder's own classes are not what is chosen next
        last = self.settings.value("data_folder", "") if self.settings is not None else ""
        if isinstance(last, str) and last and path_is(last, Path.is_dir):
            return last
        return str(Path.home())

    def _remember(self, path: str) -> None:
        """Where the user's data was found (the next dialog opens there), and that the user chose it: a project
        naming it later is read without asking, in this session and the next (``Document.may_read_data``)."""
        self.doc.allow_data(path)
        remember_chosen(self.settings, path)
        if self.settings is not None:
            self.settings.setValue("data_folder", str(Path(path).parent))

    def _ask_first(self, key: str) -> None:
        """A path a file named (a project, a recovery file, a lesson) that the user has not chosen: nothing there
        is read (the folder's images, the file) until Use this data, or Enter in the path field, says so."""
        self.allow_btn.show()
        self._show(f"<span style='color:gray'>This project names its data: {esc(key)}. Nothing there is read until "
                   f"you press <b>Use this data</b> (or Enter in the path field).</span>", self.unread(key))

    def choose_folder(self) -> None:
        """A folder dialog; Cancel leaves the dataset as it was."""
        path = QFileDialog.getExistingDirectory(self, "Your image folder (one sub-folder per class)",
                                                self._start_dir("folder"))
        if path:
            self.use_path(path)
        else:
            self.load(self.doc.training.get("dataset", "mnist-sample"))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Your dataset", self._start_dir("file"),
                                              "Datasets (*.npz *.csv);;All files (*)")
        if path:
            self.use_path(path)
        else:  # Cancel: back to what the document holds, never to something else that would then error
            self.load(self.doc.training.get("dataset", "mnist-sample"))

    def _on_path_typed(self) -> None:
        text = self.path.text().strip()
        if not text:
            return
        p = Path(os.path.abspath(os.path.expanduser(text)))  # absolute: a saved project's relative path is its
        if not path_is(str(p), Path.exists):  # folder's, not the one the app started in (a review); a name too long
            # for the system is one line too
            self.feeds.setText(f"<span style='color:#D64541'>No such folder or file: {esc(text)}</span>")
            return
        if path_is(str(p), Path.is_file) and p.suffix.lower() not in (".npz", ".csv"):
            self.feeds.setText(f"<span style='color:#D64541'>{esc(p.name)}: datasets are read from .npz, .csv or "
                               f"a folder of class sub-folders.</span>")
            return
        self.use_path(str(p))

    def use_path(self, path: str) -> None:
        """Make a folder or file path the dataset (one undo step) and show it."""
        self._remember(path)
        self._add_path_item(path)
        self.dataset.blockSignals(True)
        self.dataset.setCurrentIndex(self.dataset.findData(path))
        self.dataset.blockSignals(False)
        self._edit("dataset", path)
        self._on_dataset_changed()

    def _on_dataset_changed(self) -> None:
        key = self.dataset.currentData()
        if key in (FOLDER, FILE):
            if self.dataset.keyed:  # passing by with the arrow keys: say how to choose it, ask nothing yet
                what = "an image folder (or use Folder\u2026)" if key == FOLDER else "a .npz or .csv file"
                self.feeds.setText(f"<span style='color:gray'>Press Enter to choose {what}. Until then the data "
                                   f"is {esc(self._chosen_title())}.</span>")
            return  # a choice in the open list comes as activated next, which opens the dialog
        if key != self.doc.training.get("dataset"):
            self._edit("dataset", key)
        self._preview_stale = False
        self._clear_strip()
        self._preview = self._folder = None
        self.folder_info.hide()
        user = isinstance(key, str) and key not in self.registry_keys
        if self.path.text() != (key if user else ""):
            self.path.setText(key if user else "")
        self.allow_btn.hide()
        if user and self.unread(key):
            self._ask_first(key)
            return
        if user and path_is(key, Path.is_dir):
            self._show_folder(key)
            return
        if key in PREVIEWABLE or (isinstance(key, str) and key.startswith("gate-")) or \
                (isinstance(key, str) and key.endswith((".npz", ".csv"))):
            try:
                from ..backend.datasets import load
                self._preview = load(self.doc.data_path(key))
                self._shown = stamp(key)
            except PlaygroundError as exc:
                self._show(f"<span style='color:#D64541'>{esc(str(exc))}</span>", str(exc))
                return
            if self._preview.x_train.ndim in (3, 4):  # pictures (images.picture); not 3-D examples
                for i in range(min(10, len(self._preview.x_train))):
                    lab = QLabel()
                    lab.setPixmap(array_to_pixmap(self._preview.x_train[i], 40))
                    lab.setToolTip(tip(f"label {self._preview.class_names[int(self._preview.y_train[i])]}"))
                    self.strip.addWidget(lab)
            self.strip.addStretch(1)
        self._update_feeds()

    def _chosen_title(self) -> str:
        i = self.dataset.findData(self.doc.training.get("dataset", "mnist-sample"))
        return self.dataset.itemText(i) if i >= 0 else str(self.doc.training.get("dataset", ""))

    @property
    def registry_keys(self) -> set:
        from ..backend.datasets import REGISTRY  # plain Python
        return set(REGISTRY)

    def _clear_strip(self) -> None:
        while self.strip.count():
            item = self.strip.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def _show_folder(self, path: str) -> None:
        """Read the folder's classes, counts and a few examples in a worker (a large folder takes a moment),
        then show them."""
        from .worker import start_job
        if self._reading == path:  # already being read (the setting's echo and the click both ask)
            return
        self._reading = path
        self._show(f"<span style='color:gray'>Reading {esc(Path(path).name, quote=False)}/\u2026</span>")
        start_job(_read_folder, path, self.doc.data_path(path), on_done=self._on_folder_read,
                  on_failed=self._on_folder_failed, parent=self)

    @property
    def busy(self) -> bool:
        """A folder is being read (tests and the screenshot script wait for it)."""
        return self._reading is not None

    def _on_folder_failed(self, message: str) -> None:
        if self._reading is not None and self._reading == self.dataset.currentData():
            self._show(f"<span style='color:#D64541'>{esc(message)}</span>", message)
        self._reading = None

    def _on_folder_read(self, result) -> None:
        """The folder's classes side by side: name, image count and a few examples each."""
        from ..backend.datasets import TEST_EVERY
        path, (classes, size, grey) = result
        if self._reading == path:
            self._reading = None
        if path != self.dataset.currentData():  # another dataset was chosen meanwhile
            return
        self._clear_strip()
        self._folder = (classes, size, grey)
        for c in classes[:MAX_CLASSES_SHOWN]:
            col = QWidget()
            cl = QVBoxLayout(col)
            cl.setContentsMargins(0, 0, 6, 0)
            cl.setSpacing(2)
            name = QLabel(f"<b>{esc(c.name)}</b> \u00b7 {c.count:,}")
            name.setToolTip(tip(f"{c.count:,} images in {c.name}/"))
            cl.addWidget(name)
            row = QHBoxLayout()
            row.setSpacing(2)
            for k, a in enumerate(c.examples):
                lab = QLabel()
                lab.setPixmap(array_to_pixmap(a, 36))
                lab.setMinimumSize(lab.pixmap().size())  # whole: a short window scrolls the panel instead
                lab.setToolTip(tip(f"{c.name}, example {k + 1}"))
                row.addWidget(lab)
            row.addStretch(1)
            cl.addLayout(row)
            self.strip.addWidget(col)
        self.strip.addStretch(1)
        total = sum(c.count for c in classes)
        test = sum(c.count // TEST_EVERY for c in classes if c.count >= TEST_EVERY)
        more = f" ({len(classes) - MAX_CLASSES_SHOWN} more not shown)" if len(classes) > MAX_CLASSES_SHOWN else ""
        self.folder_info.setText(f"{esc(Path(path).name, quote=False)}/: {len(classes)} classes, {total:,} images "
                                 f"({total - test:,} to train, {test:,} held out to test: every {TEST_EVERY}th of "
                                 f"a class){more}.")
        self.folder_info.show()
        self._update_feeds()

    def _update_feeds(self) -> None:
        self._feeds_stale = not self.isVisible()  # written when next shown (a head replaced in Build left the line
        if self._preview_stale or not self.isVisible() or \
                (self._reading is not None and self._reading == self.dataset.currentData()):
            return  # a folder being read shows its line when it arrives
        key = self.dataset.currentData()
        if self._folder is not None:
            self._folder_feeds()
            return
        ds = self._preview
        if ds is None and key not in (FOLDER, FILE) and self.unread(key):
            self._ask_first(key)
            return
        if ds is None:
            from ..backend.datasets import REGISTRY  # noqa: PLC0415 - plain Python
            if key not in REGISTRY and not path_is(str(key), Path.exists):  # (a project's dataset text: a hostile sweep's
                why = (f"{key}: no such file or folder, and no built-in dataset of that name. Choose the data in the "
                       f"list, or type its path.")  # "x<img...>" read as "loaded from the Keras cache")
                self._show(f"<span style='color:#D64541'>{esc(why)}</span>", why)
                return
            self._show(f"<span style='color:gray'>{esc(str(key))}: loaded from the Keras cache (or downloaded) when "
                       f"training starts.</span>")
            return
        from ..backend.datasets import prepare
        from ..backend.session import model_io
        try:
            in_shape, units = model_io(self.doc.graph)
            sub = type(ds)(ds.name, ds.x_train[:2], ds.y_train[:2], None, None, ds.class_names, ds.binary)
            prepare(sub, in_shape, units, whole=False)
        except PlaygroundError as exc:
            self._show(f"<span style='color:#D64541'>{esc(str(exc))}</span>", str(exc))
            return
        except (KeyError, ValueError):
            self._show("<span style='color:gray'>Fix the network's errors to see what it will be fed.</span>")
            return
        n_test = 0 if ds.x_test is None else len(ds.x_test)
        self._show(f"{len(ds.x_train):,} training + {n_test:,} test examples of "
                   f"{'x'.join(map(str, ds.example_shape))} \u2192 Input {'x'.join(map(str, in_shape))}, "
                   f"{ds.num_classes if not ds.binary else 2} classes, scaled to [0, 1].{self._pixels_clause()}")

    def _pixels_clause(self) -> str:
        """Where the network's first layers want other pixels than the app's [0, 1] (``Document.pixels_wanted``): a
        second line saying so and what to do (the line said "scaled to [0, 1]" and nothing else)."""
        wants = self.doc.pixels_wanted()
        return "" if wants is None else (f"<br><span style='color:#1A3E8C'>But {esc(wants[0], quote=False)}: select "
                                         f"its Input in Build and press Prepare the pixels.</span>")

    def _folder_feeds(self) -> None:
        """What an image folder becomes for this network: the class count checked, the resizing said."""
        from ..backend.datasets import resize_note
        from ..backend.session import model_io
        classes, (w, h), grey = self._folder
        try:
            in_shape, units = model_io(self.doc.graph)
        except PlaygroundError as exc:
            self._show(f"<span style='color:#D64541'>{esc(str(exc))}</span>", str(exc))
            return
        except (KeyError, ValueError):
            self._show("<span style='color:gray'>Fix the network's errors to see what it will be fed.</span>")
            return
        note = resize_note((h, w) if grey else (h, w, 3), tuple(in_shape))
        if units != len(classes):
            n = len(classes)
            why = (f"The folder has {n} classes but the model's output layer has {count(units, 'unit')}; "
                   f"{head_advice(n, folder=True)}")
            self._show(f"{esc(note, quote=False)}<br><span style='color:#D64541'>{esc(why)}</span>", why)
            return
        self._show(f"{esc(note, quote=False)} {len(classes)} classes \u2192 the output's {units} units."
                   f"{self._pixels_clause()}")

    def unread(self, key=None) -> str | None:
        """Why the data ``key`` (the document's) cannot be read yet: a path a file named that the user has not
        chosen (checked at Start too: the box may not have been shown since, F5 in Build), or None."""
        key = self.doc.training.get("dataset", "mnist-sample") if key is None else key
        if self.doc.may_read_data(key) or not path_is(str(key), Path.exists):
            return None
        return f"The data at {key} has not been read: press Use this data in Train to read it."

    def problem_now(self) -> str | None:
        """``problem``, the line rewritten first where the network changed while the box was hidden (F5 in Build)."""
        if self._feeds_stale and self.isVisible():
            self._update_feeds()
        return self.problem

    def _show(self, html: str, problem: str | None = None) -> None:
        """The line under the data (what the network will be fed), and ``problem`` where the data as chosen cannot
        train it: Start is off while there is one (Start stayed on beside "3 classes but 5 units" in red)."""
        self.feeds.setText(html)
        if problem != self.problem:
            self.problem = problem
            self.problem_changed.emit()


def _read_folder(path: str, real: str):
    """Worker-side: (path, folder_summary) for the data box (Pillow only), read at ``real`` (``data_path``)."""
    from ..backend.datasets import folder_summary
    return path, folder_summary(real, THUMBS, MAX_CLASSES_SHOWN)
