"""The Lessons panel: a narrow dock beside the canvas (never over it) that walks through a lesson's steps.

The checks are ``core/lessons.py``'s pure functions over the document's real state; this module only shows
them. A step's ``setup`` and ``show_me`` edits are ordinary commands on the document's one undo stack (one
undo step each), so Ctrl+Z takes back whatever a lesson did. Progress (steps done per lesson) and the
dismissed first-start offer live in the window's QSettings.

Why this module is long (a little over 450 lines): the step flow is one state machine over one lesson's position
(start, enter, Back, Next, the checks, answers remembered, the networks steps were left with, a step done before);
split, that state would be shared between modules. The lesson files' dialog and the edits a lesson makes live apart.
"""

from __future__ import annotations

from html import escape as esc
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core import lessons as L
from ..core.errors import PlaygroundError
from .banner import WrappingLabel, breakable
from .lesson_edits import apply_actions, put_back, start_project
from .theme import FittingLabel
from .vscroll import MinimumHeightWidget, vertical_scroll

GREEN, RED, GRAY = "#2EAF62", "#D64541", "gray"


class LessonsPanel(QWidget):
    """The list of lessons and the current step: its text, answer field, Check, Hint, Show me, Back/Next."""

    def __init__(self, doc, settings, files=None, switch_workspace=None, extra_state=None, parent=None):
        super().__init__(parent)
        self.doc, self.settings, self.files = doc, settings, files
        self.switch_workspace = switch_workspace or (lambda name, page=None: None)
        self.extra_state = extra_state or (lambda: {})
        self.ask_path = self._ask_path  # tests replace the file question
        self.lessons: list[L.Lesson] = []
        self.lesson: L.Lesson | None = None
        self.index = -1
        self.passed = False
        self.hints_shown = 0

        self.list = QListWidget()
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.currentRowChanged.connect(self._on_pick)
        self.list.itemActivated.connect(self._on_activated)  # Enter (or a double click) starts it
        self.open_btn = QPushButton("Open a lesson file\u2026")
        self.open_btn.setToolTip("A lesson written by your teacher (format: playground-lesson, see the README)")
        self.open_btn.clicked.connect(self.open_file)
        self.load_msg = WrappingLabel()
        self.load_msg.setStyleSheet(f"color: {RED};")
        self.load_msg.hide()
        self.summary = FittingLabel()  # its whole text (a QLabel showed one line of it beside the list at 1280x720)
        self.start_btn = QPushButton("Start")
        self.start_btn.clicked.connect(self.start)

        self.header = QLabel()
        self.header.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setFrameShape(QFrame.NoFrame)
        self.answer_label = QLabel("Your answer:")
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("predict first, e.g. 4 or 4x4x1")
        self.answer.returnPressed.connect(self._on_answer_enter)
        self.check_btn = QPushButton("Check")
        self.check_btn.setToolTip("Check this step against what is on the canvas (or your answer)")
        self.check_btn.clicked.connect(self.check)
        self.hint_btn = QPushButton("Hint")
        self.hint_btn.clicked.connect(self.show_hint)
        self.show_btn = QPushButton("Show me")
        self.show_btn.setToolTip("Do this step for me, as ordinary edits (Ctrl+Z undoes them)")
        self.show_btn.clicked.connect(self.show_me)
        self.result = FittingLabel()  # its whole message, however narrow the dock
        self.result.setTextFormat(Qt.RichText)
        self.hint = FittingLabel()
        self.hint.setStyleSheet(f"color: {GRAY};")
        self.back_btn = QPushButton("Back")
        self.back_btn.clicked.connect(self.back)
        self.next_btn = QPushButton("Next")
        self.next_btn.clicked.connect(self.next)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.list)
        lay.addWidget(self.open_btn)
        lay.addWidget(self.load_msg)
        lay.addWidget(self.summary)
        lay.addWidget(self.start_btn)
        self.step_box = MinimumHeightWidget()  # in a scroll: a long message or hint scrolls it, never makes the
        sb = QVBoxLayout(self.step_box)       # window taller (a 600-character result grew it to 763 px at 720)
        sb.setContentsMargins(0, 0, 0, 0)
        sb.addWidget(self.header)
        sb.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addWidget(self.answer_label)
        row.addWidget(self.answer, 1)
        sb.addLayout(row)
        btns = QHBoxLayout()
        for b in (self.check_btn, self.hint_btn, self.show_btn):
            btns.addWidget(b)
        sb.addLayout(btns)
        sb.addWidget(self.result)
        sb.addWidget(self.hint)
        nav = QHBoxLayout()
        nav.addWidget(self.back_btn)
        nav.addStretch(1)
        nav.addWidget(self.next_btn)
        sb.addLayout(nav)
        self.step_scroll = vertical_scroll(self.step_box)
        lay.addWidget(self.step_scroll, 1)
        self.step_box.hide()

        doc.changed.connect(lambda: self.recheck(live=True))
        doc.settings_changed.connect(lambda section, _key: self.recheck(live=section == "logic"))  # (the lab's target)
        self._loaded = False  # the shipped lessons are read when the panel is first shown, not at start-up
        self._answers: dict[tuple[str, int], str] = {}  # (lesson id, step) -> the right answer given, for Back
        self._left: dict[tuple[str, int], tuple] = {}  # (lesson id, step) -> (network, target) left it with, for Back
        self._done_before = False  # the step shown was gone back to, done before, and no longer passes
        self._runs_seen = (0, 0)  # (next run number, runs kept) when the step was last checked
        doc.replaced.connect(self._left.clear)  # another project: a network left in this one is not put back there

    def showEvent(self, event):
        self.ensure_loaded()
        super().showEvent(event)

    # ------------------------------------------------------------ lessons
    def ensure_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.load_builtin()

    def load_builtin(self) -> None:
        """The shipped lessons; a broken file is one line in the panel, and the others still load."""
        from ..resources_path import resource_root
        folder = resource_root() / "lessons"
        problems = []
        for p in sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name):
            try:
                self.lessons.append(L.loads(p.read_bytes()))
            except L.LessonFormatError as exc:
                problems.append(f"{p.name}: {exc}")
        self._fill_list()
        if problems:
            self._refuse(" | ".join(problems))

    def _fill_list(self) -> None:
        row = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for lesson in self.lessons:
            done = self.done_count(lesson)
            mark = "\u2713 " if done >= len(lesson.steps) else ""
            item = QListWidgetItem(f"{mark}{lesson.title}   ({done}/{len(lesson.steps)})")
            item.setToolTip(lesson.summary)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)
        self._size_list()

    def _size_list(self) -> None:
        """As tall as the lessons, no taller; while a lesson runs, three rows and a half, its lesson in view, and the
        step has the rest (at 1280x720 its text had five lines under the eight-row list once hints showed)."""
        running = not self.step_box.isHidden()
        rows = 3.5 if running else max(self.list.count(), 3)
        self.list.setFixedHeight(int(self.list.sizeHintForRow(0) * rows) + 2 * self.list.frameWidth() + 4)
        if running and self.list.currentItem() is not None:
            self.list.scrollToItem(self.list.currentItem(), QListWidget.PositionAtCenter)

    def done_count(self, lesson: L.Lesson) -> int:
        try:  # the settings file is the user's to edit: anything but a whole number of steps done counts as none
            done = int(self.settings.value(f"lessons/{lesson.id}/done", 0))
        except (TypeError, ValueError, OverflowError):  # OverflowError: a float infinity stored there
            return 0
        return min(max(done, 0), len(lesson.steps))

    def _mark_done(self, upto: int) -> None:
        if self.lesson is not None and upto > self.done_count(self.lesson):
            self.settings.setValue(f"lessons/{self.lesson.id}/done", upto)
            self._fill_list()

    def _on_pick(self, row: int) -> None:
        if not 0 <= row < len(self.lessons):
            return
        lesson = self.lessons[row]
        done = self.done_count(lesson)
        self.summary.setText(lesson.summary)
        if lesson is self.lesson and self.step_box.isVisible():
            self.start_btn.setText("Restart this lesson")
        elif 0 < done < len(lesson.steps):
            self.start_btn.setText(f"Continue at step {done + 1} of {len(lesson.steps)}")
        else:
            self.start_btn.setText("Start this lesson")

    def open_file(self) -> None:
        """A teacher's lesson file: validated first; a broken one is one line here and nothing changes."""
        path = self.ask_path()
        if not path:
            return
        try:
            lesson = L.load(path)
        except L.LessonFormatError as exc:
            self._refuse(f"{Path(path).name}: {exc}")
            return
        self.load_msg.hide()
        self._answers = {k: v for k, v in self._answers.items() if k[0] != lesson.id}  # (another version of it:
        self._left = {k: v for k, v in self._left.items() if k[0] != lesson.id}  # its steps may not be the same)
        self.lessons = [x for x in self.lessons if x.id != lesson.id] + [lesson]
        self._fill_list()
        self.list.setCurrentRow(len(self.lessons) - 1)

    def _refuse(self, text: str) -> None:
        line = " ".join(text.split())
        self.load_msg.setText(line if len(line) <= 400 else line[:397] + "...")
        self.load_msg.show()

    def _ask_path(self) -> str:
        last = self.settings.value("lesson_folder", "")  # where the last lesson file was; else home, not the cwd
        start = last if isinstance(last, str) and last and Path(last).is_dir() else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a lesson file", start, "Lessons (*.json)")
        if path:
            self.settings.setValue("lesson_folder", str(Path(path).parent))
        return path

    # ------------------------------------------------------------ steps
    def start(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.lessons):
            return
        lesson = self.lessons[row]
        restart = lesson is self.lesson and self.step_box.isVisible()
        done = 0 if restart else self.done_count(lesson)
        if lesson.start is not None and not self._replace_project(lesson, lesson.start):
            return
        self.lesson = lesson
        if restart or done >= len(lesson.steps):  # from the first step again: every step asked afresh
            self._answers = {k: v for k, v in self._answers.items() if k[0] != lesson.id}
            self._left = {k: v for k, v in self._left.items() if k[0] != lesson.id}
        self.step_box.show()
        self._size_list()
        at = min(done, len(lesson.steps) - 1) if done < len(lesson.steps) else 0
        brought = [a for s in lesson.steps[:at] for a in s.setup if a.do == "load_network"][-1:]  # continued past a
        if brought and not lesson.steps[at].start:  # step that brought its network: that network, not the start's
            try:  # (lesson 8 continued at step 3 showed the baseline: "no layer named 'conv_1'", a dead end)
                apply_actions(self.doc, brought, f"Lesson: {lesson.steps[at].title}")
            except PlaygroundError as exc:
                self.doc.tell(str(exc))
        self.enter(at, run_setup=True)
        self._on_pick(row)

    def _replace_project(self, lesson, start) -> bool:
        if self.files is not None and not self.files.maybe_save():
            return False
        try:
            proj = start_project(lesson, start)
        except PlaygroundError as exc:
            self.doc.tell(f"The lesson's starting network cannot be opened: {exc}")
            return False
        if self.files is not None:
            self.files.load_project(proj, None)
        else:
            self.doc.replace(proj, None)
        return True

    @property
    def step(self) -> L.Step | None:
        if self.lesson is None or not 0 <= self.index < len(self.lesson.steps):
            return None
        return self.lesson.steps[self.index]

    def enter(self, index: int, run_setup: bool = True) -> None:
        """Show step ``index``: switch workspace, make its setup edits (one undo step; not with ``run_setup`` off,
        as Back does), select its layer."""
        if self.lesson is None or not 0 <= index < len(self.lesson.steps):
            return
        self.index, self._done_before = index, False
        step = self.lesson.steps[index]
        if run_setup and step.start is not None and not self._replace_project(self.lesson, step.start):
            return
        if step.workspace:
            self.switch_workspace(step.workspace, step.page)
        if run_setup and step.setup:
            try:
                apply_actions(self.doc, step.setup, f"Lesson: {step.title}")
            except PlaygroundError as exc:
                self.doc.tell(str(exc))
        self.passed = False
        self._runs_seen = (self.doc.project.runs.next_number, len(self.doc.project.runs.runs))  # (runs before it)
        self.hints_shown = 0
        n = len(self.lesson.steps)
        self.header.setText(f"<span style='color:{GRAY}'>{esc(self.lesson.title)} \u00b7 step\u00a0{index + 1}\u00a0of\u00a0{n}"
                            f"</span><br><b>{esc(step.title)}</b>")
        self.text.setHtml(step.text)
        self.answer.clear()
        for w in (self.answer_label, self.answer):
            w.setVisible(step.asks_answer)
        self.check_btn.setVisible(step.check is not None)
        self.hint_btn.setVisible(bool(step.hints))
        self.show_btn.setVisible(bool(step.show_me))
        self.result.setText("")
        self.hint.setText("")
        self.back_btn.setEnabled(index > 0)
        self.next_btn.setText("Finish" if index == n - 1 else "Next")
        self._mask(step, opening=True)
        if not step.asks_answer:
            self._highlight()  # a prediction is asked first; its layer is shown once the answer is right
        if step.check is None:
            self._set_passed(L.Result(True, ""))
        else:
            self.next_btn.setEnabled(False)
            if not step.asks_answer:
                self._auto_check()
        if not step.asks_answer and self.isVisible():  # the keyboard stays in the lesson (it went to the palette)
            (self.next_btn if self.next_btn.isEnabled() else self.check_btn if step.check else self.back_btn
             ).setFocus()
        if step.asks_answer:
            self.answer.setFocus()
            given = self._answers.get((self.lesson.id, index))
            if given is not None:  # answered before (Back): the answer shown and checked again, not asked afresh
                self.answer.setText(given)
                if L.run_check(step.check, self.state()).passed:
                    self.check()
                else:  # right for the network as it was, and the learner has changed it since: asked again, no ✗
                    self.result.setText(f"<span style='color:{GRAY}'>You answered {esc(L.said_back(given))} here; "
                                        f"the network has changed since. Check it again, or type a new "
                                        f"answer.</span>")

    def back(self) -> None:
        """The step before, as left: its setup is not made again (AlexNet over the learner's edits), but where the step
        left changed the network or target on the way in (NOR's network), the ones it was left with come back."""
        if self.lesson is None or self.index < 1:
            return
        leaving, to = self.lesson.steps[self.index], self.index - 1
        left = self._left.get((self.lesson.id, to))
        # what the step left had (a trained CNN): Next puts it back instead of making its setup again (a drive's
        # Back, Next loaded an untrained CNN over the trained one, and the filter step was a dead end)
        self._left[(self.lesson.id, self.index, "ahead")] = (self.doc.graph.copy(), self.doc.logic.get("target"),
                                                             self.doc.project.name)
        self.index = to  # first: a recheck the putting back sets off checks the step gone to, not the one left
        if (leaving.setup or leaving.start is not None) and left is not None:
            put_back(self.doc, *left[:2], self.lesson.steps[to].title, name=left[2])
        self.enter(to, run_setup=False)  # (a step resumed mid-lesson has nothing kept: its setup is not run on a
        # network it does not fit, "needs a layer named 'and'")
        step = self.lesson.steps[to]
        self._done_before = step.check is not None and not step.asks_answer and to < self.done_count(self.lesson)
        if not self.passed and self._done_before:
            self._say_done_before()

    def _say_done_before(self) -> None:
        """A step done before that the network has changed since (a Dropout added, a padding set): not a dead end."""
        self.passed = True
        self.next_btn.setEnabled(True)
        self.result.setText(f"<span style='color:{GRAY}'>You did this step before; the network has changed since, "
                            f"so its check would not pass now. Next goes on (Ctrl+Z takes changes back).</span>")

    def _mask(self, step, opening: bool = False) -> None:
        """Predict first, then see: while an answer is asked about a layer, its size (and what follows from it
        downstream) shows as "?" on the canvas and in the summary."""
        ref = None if step is None else step.highlight if step.asks_answer else step.mask
        node = L.find_layer(self.doc.graph, ref) if ref else None
        if ref and not step.asks_answer:  # a step's mask: the layer it makes, which the next step asks about, not
            if opening:  # the one there when it opened (lesson 7's old head, and the total, were hidden)
                self._mask_was = node.id if node is not None else None
            node = None if node is not None and node.id == getattr(self, "_mask_was", None) else node
        if node is None:
            self.doc.mask(())
            return
        hidden, todo = set(), [node.id]
        while todo:
            nid = todo.pop()
            if nid not in hidden:
                hidden.add(nid)
                todo.extend(self.doc.graph.output_ids(nid))
        self.doc.mask(hidden)

    def _highlight(self) -> None:
        step = self.step
        if step is None or not step.highlight:
            return
        node = L.find_layer(self.doc.graph, step.highlight)
        if node is not None:
            self.doc.select([node.id], reveal=True)

    def state(self) -> L.LessonState:
        extra = self.extra_state() or {}
        return L.LessonState(self.doc.graph, self.doc.infos, self.doc.project.runs, self.answer.text(),
                             self.doc.logic.get("target"), extra.get("filter_accuracy"))

    def check(self) -> None:
        """Check the step now and say what is right or what is wrong."""
        step = self.step
        if step is None or step.check is None:
            return
        res = L.run_check(step.check, self.state())
        if res.passed:
            if step.asks_answer:
                self._answers[(self.lesson.id, self.index)] = self.answer.text()
            self._set_passed(res)
        else:
            self._set_failed(res)

    def _auto_check(self, live: bool = False) -> None:
        """A step about what the learner built is checked at every change, passed or not: an undo that took the
        work back left "\u2713 All 4 rows give AND." and Next, while the Logic lab said row 4 was wrong. ``live``: the
        network was just changed; a step about the network says at once what is still wrong (padding "same" where
        1 was asked said nothing until Check)."""
        step = self.step
        if step is None or step.check is None or step.asks_answer:
            return
        res = L.run_check(step.check, self.state())
        runs = self.doc.project.runs  # a run finished (or was undone) since: a step about runs says where it stands
        ran, self._runs_seen = (runs.next_number, len(runs.runs)) != self._runs_seen, (runs.next_number, len(runs.runs))
        if res.passed and (not self.passed or self._done_before):
            self._done_before = False
            self._set_passed(res)
        elif not res.passed and self._done_before:
            self._say_done_before()  # (a later edit leaves it a step done before, not a red cross)
        elif not res.passed and (self.passed or (ran and L.about_runs(step.check)) or
                                 (live and L.about_the_network(step.check))):
            self._set_failed(res)  # ("Train with dropout now" stayed after a run that went on from trained weights)

    def _set_failed(self, res: L.Result) -> None:
        self.passed = False
        self.next_btn.setEnabled(False)
        self.result.setText(f"<span style='color:{RED}'>\u2717 {esc(breakable(res.message))}</span>")

    def _on_activated(self, _item) -> None:
        if not (self.lessons[self.list.currentRow()] is self.lesson and self.step_box.isVisible()):
            self.start()  # (not the lesson in progress again: its answers and work would go)

    def _on_answer_enter(self) -> None:
        """Enter checks the answer; on the answer just found right (not changed since), Enter goes on."""
        right = self._answers.get((self.lesson.id, self.index)) if self.lesson is not None else None
        if self.passed and self.next_btn.isEnabled() and right is not None and self.answer.text() == right:
            self.next()
        else:
            self.check()

    def recheck(self, live: bool = False) -> None:
        """Check the step shown again (the document changed, or something a check reads arrived); ``live``: the
        network itself changed (a training setting changed put a red cross on a Build step)."""
        if self.step_box.isVisible():
            if self.step is not None and self.step.mask and not self.step.asks_answer:
                self._mask(self.step)  # the layer it hides may be a new one (a new head: @output)
            self._auto_check(live=live)

    def _set_passed(self, res: L.Result) -> None:
        self.passed = True
        if self.step is not None and self.step.asks_answer:
            self.doc.mask(())  # then see: the sizes come back
            self._highlight()  # and the layer the prediction was about is selected, where it lives
        if res.message:
            self.result.setText(f"<span style='color:{GREEN}'>\u2713 {esc(breakable(res.message))}</span>")
        self.next_btn.setEnabled(True)
        self._mark_done(self.index + 1)

    def show_hint(self) -> None:
        step = self.step
        if step is None or not step.hints:
            return
        self.hints_shown = min(self.hints_shown + 1, len(step.hints))
        self.hint.setText("\n".join(f"Hint: {h}" for h in step.hints[:self.hints_shown]))

    def show_me(self) -> None:
        step = self.step
        if step is None or not step.show_me:
            return
        try:
            apply_actions(self.doc, step.show_me, f"Show me: {step.title}")
        except PlaygroundError as exc:
            self.result.setText(f"<span style='color:{RED}'>{esc(breakable(str(exc)))}</span>")
            return
        self._highlight()
        self._auto_check()

    def next(self) -> None:
        if not self.passed or self.lesson is None:
            return
        if self.index + 1 < len(self.lesson.steps):
            self._left[(self.lesson.id, self.index)] = (self.doc.graph.copy(), self.doc.logic.get("target"),
                                                        self.doc.project.name)
            to, ahead = self.index + 1, self._left.pop((self.lesson.id, self.index + 1, "ahead"), None)
            step = self.lesson.steps[to]
            if ahead is None or not (step.start is not None or any(a.do == "load_network" for a in step.setup)):
                self.enter(to)  # (a step that brings no network of its own goes on with the network as it is: its
                return  # setup adjusts that one, the learner's work since Back included)
            self.index = to
            put_back(self.doc, *ahead[:2], step.title, "Returned to", ahead[2])
            self.enter(to, run_setup=False)
        else:
            self.result.setText(f"<span style='color:{GREEN}'>\u2713 Lesson done. Pick the next one above.</span>")
            self.next_btn.setEnabled(False)
