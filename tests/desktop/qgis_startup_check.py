"""Runs inside the real QGIS desktop application for tests/desktop/test_desktop.py; not a pytest module.

QGIS executes this file twice, both times with ``exec`` in ``__main__``:

1. early, through the ``PYQGIS_STARTUP`` environment variable, before any plugin is loaded: it starts recording
   the message log and closes (and records) any modal dialog, such as QGIS's Python error dialog, that would
   otherwise block the start forever;
2. through ``--code`` once the main window is up: it runs the walkthrough's steps (``steps/``, in the order of
   ``steps.PLAN``: what the plugin added to QGIS, then the dock page by page as an analyst would use it, then
   unloading the plugin) and quits QGIS.

Each step is recorded on its own in the JSON file ``$BAIMEI_DESKTOP_RESULT`` (rewritten as each step starts and
ends, so that a crash leaves the steps done so far): its status (passed, failed, error, skipped, not_run), its
failure messages and traceback, its screenshots, and the Python errors and unexpected dialogs that came up while it
ran. A failing step does not stop the walkthrough; a step whose needs failed is skipped with the reason.

Environment: ``BAIMEI_DESKTOP_STEPS`` (the folder holding ``steps/``; QGIS gives this file no ``__file__``),
``BAIMEI_DESKTOP_EVENTS`` (optional JSON-lines file: every log message, dialog and step as it happens, for when
QGIS hangs or crashes), ``BAIMEI_DESKTOP_WATCHDOG_S``, ``BAIMEI_DESKTOP_PLAN`` (the package whose ``PLAN`` runs:
``steps`` by default), ``BAIMEI_DESKTOP_AWAIT_KILL`` (set: once the plan is done, wait for the test to kill QGIS
instead of quitting) and those ``steps.context.Context`` reads.
"""

import importlib.util
import json
import os
import sys
import time
import traceback
import types

PLUGIN = "bai_mei_plugin"
ERROR_TAGS = ("Python error", "Python warning", "Bai Mei")
STATE_MODULE = "_baimei_desktop_check_state"
STEPS_ROOT = "_baimei_desktop"  # tests/desktop as a private package
STEPS_PACKAGE = STEPS_ROOT + ".steps"  # the shared context and step machinery
WATCHDOG_MS = int(float(os.environ.get("BAIMEI_DESKTOP_WATCHDOG_S", "300")) * 1000)
MIN_SCREENSHOT_BYTES = 20_000
PASSED, FAILED, ERROR, SKIPPED, NOT_RUN = "passed", "failed", "error", "skipped", "not_run"


def _state():
    """State shared by both executions of this file (kept in ``sys.modules``)."""
    state = sys.modules.get(STATE_MODULE)
    if state is None:
        state = types.ModuleType(STATE_MODULE)
        state.started = time.time()
        state.messages = []  # every QgsMessageLog message
        state.exceptions = []  # exceptions that reached sys.excepthook
        state.dialogs = []  # modal dialogs that popped up unexpectedly (and were closed)
        state.runner_errors = []  # failures of the runner itself (not of a step)
        state.keep = []  # Python objects that must stay alive (slots, timers)
        state.early_hooks = False
        state.checks_started = False
        state.finished = False
        state.expected_dialog = False
        sys.modules[STATE_MODULE] = state
    return state


def _event(kind, **data):
    path = os.environ.get("BAIMEI_DESKTOP_EVENTS")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps({"kind": kind, "t": round(time.time() - _state().started, 3), **data}) + "\n")
    except OSError:
        pass


def _excepthook(exc_type, value, tb):
    text = "".join(traceback.format_exception(exc_type, value, tb))
    _state().exceptions.append(text)
    _event("exception", text=text)
    sys.stderr.write("[baimei-desktop-check] uncaught exception:\n" + text)


def _level(level):
    """Qgis.MessageLevel as an int (0 info, 1 warning, 2 critical, 3 success), whichever enum flavour is used."""
    try:
        return int(level)
    except TypeError:
        return int(getattr(level, "value", -1))


def _on_message(message, tag, level):
    entry = {"tag": tag, "level": _level(level), "message": message}
    _state().messages.append(entry)
    _event("message", **entry)


def _close_unexpected_dialogs():
    """Records and closes a modal dialog nobody asked for, so that QGIS never waits for a click."""
    from qgis.PyQt.QtWidgets import QApplication, QDialog

    state = _state()
    widget = QApplication.activeModalWidget()
    if widget is None or state.expected_dialog:
        return
    info = {"class": type(widget).__name__, "title": widget.windowTitle(), "text": _widget_text(widget)}
    state.dialogs.append(info)
    _event("dialog", **info)
    screenshots = os.environ.get("BAIMEI_DESKTOP_SCREENSHOTS")
    if screenshots:
        widget.grab().save(os.path.join(screenshots, f"unexpected-dialog-{len(state.dialogs)}.png"))
    if isinstance(widget, QDialog):
        widget.reject()
    else:
        widget.close()


def _widget_text(widget):
    """The visible text of a dialog (labels, text browsers), to show in the test report."""
    from qgis.PyQt.QtWidgets import QLabel, QTextBrowser, QTextEdit

    parts = []
    for child in widget.findChildren(QLabel):
        if child.text():
            parts.append(child.text())
    for child in widget.findChildren(QTextEdit) + widget.findChildren(QTextBrowser):
        parts.append(child.toPlainText())
    return "\n".join(parts)[:4000]


def install_early_hooks():
    state = _state()
    if state.early_hooks:
        return
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QTimer

    QgsApplication.messageLog().messageReceived.connect(_on_message)
    sys.excepthook = _excepthook
    timer = QTimer()
    timer.setInterval(300)
    timer.timeout.connect(_close_unexpected_dialogs)
    timer.start()
    state.keep += [_on_message, _close_unexpected_dialogs, timer]
    state.early_hooks = True
    _event("early-hooks")


# --- the walkthrough, run once QGIS has started -------------------------------------------------------------------


def load_steps():
    """The steps in the order of the plan (``$BAIMEI_DESKTOP_PLAN``: "package" for its ``PLAN``, or "package:NAME";
    ``steps`` by default, ``case_steps:FIRST`` and ``case_steps:SECOND`` for the case), imported from
    ``$BAIMEI_DESKTOP_STEPS`` under a private package name (nothing is added to ``sys.path``, so the plugin stays the
    copy QGIS loaded from the profile). Each entry is (step name, module); a module of another package of the folder
    is named with it ("steps.tracks")."""
    folder = os.environ["BAIMEI_DESKTOP_STEPS"]
    spec = importlib.util.spec_from_file_location(
        STEPS_ROOT, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
    )
    root = importlib.util.module_from_spec(spec)
    sys.modules[STEPS_ROOT] = root
    spec.loader.exec_module(root)
    plan_name, _, attribute = (os.environ.get("BAIMEI_DESKTOP_PLAN") or "steps").partition(":")
    plan = getattr(importlib.import_module(f"{STEPS_ROOT}.{plan_name}"), attribute or "PLAN")
    defined, own = {}, set()  # every step of the modules named; those of the plan's own package
    for module_name in dict.fromkeys(module for _, module in plan):
        qualified = module_name if "." in module_name else f"{plan_name}.{module_name}"
        for step in importlib.import_module(f"{STEPS_ROOT}.{qualified}").STEPS:
            defined[step.name] = step
            if "." not in module_name:
                own.add(step.name)
    planned = [name for name, _ in plan]
    if not set(planned) <= set(defined) or (attribute in ("", "PLAN") and not own <= set(planned)):
        name = f"{plan_name}:{attribute or 'PLAN'}"
        raise RuntimeError(f"{name} lists {sorted(planned)} but its step modules define {sorted(defined)}")
    return [defined[name] for name in planned]


def python_errors(exceptions, messages):
    """Python errors: uncaught exceptions, and error messages in the log for Python or Bai Mei."""
    errors = list(exceptions)
    for entry in messages:
        tag, level, message = entry["tag"], entry["level"], entry["message"]
        if tag not in ERROR_TAGS:
            continue
        # QGIS logs uncaught Python exceptions as "Python error" at Warning level, plugin import errors at
        # Critical; Python warnings count when they come from the plugin's code.
        if tag == "Python error" or level >= 2 or PLUGIN in message:
            errors.append(f"[{tag}] {message}")
    return errors


def open_dialogs():
    """Dialogs still open at the end (non-modal ones, e.g. an error report, never block and are found here)."""
    from qgis.PyQt.QtWidgets import QApplication, QDialog

    return [
        {"class": type(w).__name__, "title": w.windowTitle(), "text": _widget_text(w), "still_open": True}
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and isinstance(w, QDialog)
    ]


class Runner:
    """Runs the steps from the event loop (QTimer.singleShot), so the GUI repaints in between and nothing ever
    sleeps in the GUI thread, and records each step's outcome."""

    def __init__(self, iface, steps):
        self.state = _state()
        base = importlib.import_module(f"{STEPS_PACKAGE}.base")
        self.ctx = importlib.import_module(f"{STEPS_PACKAGE}.context").Context(iface, self.state)
        self.checks_class, self.until_class = base.Checks, base.Until
        self.iface = iface
        self.pending = list(steps)
        self.records = {}  # step name -> record, in the order run
        self.current = None  # (step, record) of the step running now
        self.marks = (0, 0, 0)  # exceptions, log messages and dialogs already attributed to a step

    @property
    def result(self):
        return self.ctx.result

    def start(self):
        from qgis.PyQt.QtCore import QTimer
        from qgis.PyQt.QtGui import QGuiApplication

        sys.excepthook = _excepthook  # QGIS installed its own hook after the early one
        main_window = self.iface.mainWindow()
        # No window manager under Xvfb: place the window over the whole screen ourselves (as maximised).
        main_window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
        main_window.show()
        main_window.raise_()
        main_window.activateWindow()
        QTimer.singleShot(WATCHDOG_MS, self.watchdog)
        self.wait_idle(self.ctx.settle_ms, self.next_step)

    def wait_idle(self, delay_ms, callback, deadline=None):
        """Calls ``callback`` after ``delay_ms`` once no background task is running (at most 20 s more)."""
        from qgis.core import QgsApplication
        from qgis.PyQt.QtCore import QTimer

        deadline = deadline or time.time() + delay_ms / 1000 + 20

        def poll():
            if QgsApplication.taskManager().countActiveTasks() and time.time() < deadline:
                QTimer.singleShot(250, poll)
            else:
                callback()

        QTimer.singleShot(delay_ms, poll)

    # One step after the other

    def next_step(self):
        if self.state.finished:
            return
        while self.pending:
            step = self.pending.pop(0)
            reason = self.blocked(step)
            if reason is None:
                self.begin(step)
                return
            self.records[step.name] = {"name": step.name, "status": SKIPPED, "message": reason, "needs": step.needs}
            _event("step", name=step.name, status=SKIPPED, message=reason)
        self.finish()

    def blocked(self, step):
        """Why ``step`` cannot run (a step it needs failed in a way it cannot do without), or None."""
        for need in step.needs:
            record = self.records.get(need)
            if record is None:
                return f"needs {need}, which has not run before it (see steps.PLAN)"
            if record["status"] in (ERROR, SKIPPED, NOT_RUN):
                return (
                    f"needs {need}, which {'was skipped' if record['status'] == SKIPPED else 'stopped with an error'}"
                )
            if record.get("blocks"):
                return f"needs {need}: {record['blocks']}"
        return None

    def begin(self, step):
        record = {"name": step.name, "status": None, "needs": step.needs, "failures": [], "traceback": None}
        record["started_s"] = round(time.time() - self.state.started, 2)
        self.current = (step, record)
        self.screenshots_before = set(self.result["screenshots"])
        self.write(current_step=step.name)
        _event("step-start", name=step.name)
        self.run_actions(step, list(step.actions), 0)

    def run_actions(self, step, actions, delay_ms):
        """The step's actions one after another; an action that raises ends the step as an error."""
        from qgis.PyQt.QtCore import QTimer

        def run():
            if self.state.finished:
                return
            if not actions:
                self.end(step)
                return
            action = actions.pop(0)
            try:
                outcome = action(self.ctx)
            except Exception:  # recorded for the step's test
                self.current[1]["traceback"] = traceback.format_exc()
                self.current[1]["failures"].append(f"{action.__name__} raised an error (traceback below)")
                self.end(step, error=True)
                return
            if isinstance(outcome, self.until_class):
                self.wait_until(outcome, lambda then_ms: self.run_actions(step, actions, then_ms))
            else:
                self.run_actions(step, actions, 300 if outcome is None else outcome)

        QTimer.singleShot(delay_ms, run)

    def wait_until(self, until, then):
        """Polls ``until.condition``; a timeout or an error fails the step, whose remaining actions still run."""
        from qgis.PyQt.QtCore import QTimer

        started = time.time()

        def poll():
            if self.state.finished:
                return
            error = None
            try:
                done = bool(until.condition())
            except Exception:
                done, error = False, traceback.format_exc()
            waited = time.time() - started
            if done or error or waited >= until.timeout_s:
                self.result["waits"][until.what] = {"done": done, "s": round(waited, 2)}
                _event("waited", what=until.what, done=done, s=round(waited, 2))
                if error:
                    self.current[1]["failures"].append(f"waiting for {until.what}:\n{error}")
                elif not done:
                    self.current[1]["failures"].append(
                        f"timed out after {until.timeout_s:.0f} s waiting for {until.what}"
                    )
                then(until.then_ms)
            else:
                QTimer.singleShot(until.poll_ms, poll)

        QTimer.singleShot(until.poll_ms, poll)

    def end(self, step, error=False):
        """Runs the step's checks and records its outcome, then goes on to the next step."""
        from qgis.PyQt.QtCore import QTimer

        record = self.current[1]
        if not error:
            self.check(step, record)
        record["failures"] += self.errors_since_last_step()
        record["screenshots"] = {
            key: shot["path"] for key, shot in self.result["screenshots"].items() if key not in self.screenshots_before
        }
        record["status"] = ERROR if error else FAILED if record["failures"] else PASSED
        record["message"] = "\n".join(record.pop("failures"))
        record["blocks"] = "it stopped with an error" if error else self.not_ready(step)
        record["s"] = round(time.time() - self.state.started - record["started_s"], 2)
        self.records[step.name] = record
        self.current = None
        self.write()
        _event("step", name=step.name, status=record["status"], message=record["message"])
        QTimer.singleShot(0, self.next_step)

    def check(self, step, record):
        checks = self.checks_class()
        try:
            if step.check is not None:
                step.check(self.ctx, checks)
        except Exception:  # a check that cannot even read its data: the step failed, this says why
            record["traceback"] = traceback.format_exc()
            checks.failures.append("the step's check raised an error (traceback below)")
        for key in step.screenshots:
            path = self.result["screenshots"].get(key, {}).get("path")
            size = os.path.getsize(path) if path and os.path.isfile(path) else None
            if size is None:
                checks.failures.append(f"screenshot {key} not saved")
            elif size <= MIN_SCREENSHOT_BYTES:
                checks.failures.append(f"screenshot {path} is only {size} bytes")
        record["failures"] += checks.failures
        record["notes"] = checks.notes

    def not_ready(self, step):
        """What later steps will miss from this one (see Step.ready), or None."""
        if step.ready is None:
            return None
        try:
            return step.ready(self.ctx)
        except Exception:
            return f"its readiness check raised:\n{traceback.format_exc()}"

    def errors_since_last_step(self):
        """Python errors and unexpected dialogs since the previous step ended, as failures of this step."""
        exceptions, messages, dialogs = self.state.exceptions, self.state.messages, self.state.dialogs
        first_exception, first_message, first_dialog = self.marks
        self.marks = (len(exceptions), len(messages), len(dialogs))
        failures = []
        errors = python_errors(exceptions[first_exception:], messages[first_message:])
        if errors:
            failures.append("Python errors in QGIS:\n" + "\n\n".join(errors))
        if dialogs[first_dialog:]:
            failures.append(f"dialogs popped up: {dialogs[first_dialog:]}")
        return failures

    # The end

    def watchdog(self):
        if self.state.finished:
            return
        message = f"watchdog: the walkthrough did not finish within {WATCHDOG_MS / 1000:.0f} s"
        if self.current is not None:
            step, record = self.current
            record.update(status=ERROR, message="\n".join(record.pop("failures") + [message + " (while this ran)"]))
            self.records[step.name] = record
        for step in self.pending:
            self.records[step.name] = {"name": step.name, "status": NOT_RUN, "message": f"not run: {message}"}
        self.pending = []
        self.state.runner_errors.append(message)
        self.finish()

    def write(self, **extra):
        """The results so far, replaced atomically: a crash leaves the last complete file."""
        self.result.update(steps=list(self.records.values()), runner_errors=list(self.state.runner_errors), **extra)
        tmp = self.ctx.result_path + ".part"
        with open(tmp, "w", encoding="utf-8") as stream:
            json.dump(self.result, stream, indent=2, default=str)
        os.replace(tmp, self.ctx.result_path)

    def finish(self):
        from qgis.core import QgsApplication, QgsProject

        if self.state.finished:
            return
        self.state.finished = True
        first_exception, first_message, first_dialog = self.marks
        self.result["python_errors_after_steps"] = python_errors(
            self.state.exceptions[first_exception:], self.state.messages[first_message:]
        )
        self.result["unexpected_dialogs_after_steps"] = self.state.dialogs[first_dialog:] + open_dialogs()
        self.result["python_errors"] = python_errors(self.state.exceptions, self.state.messages)
        self.result["log"] = [m for m in self.state.messages if m["tag"] in ERROR_TAGS or m["level"] >= 1]
        self.result["elapsed_s"] = round(time.time() - self.state.started, 2)
        if os.environ.get("BAIMEI_DESKTOP_AWAIT_KILL"):
            # the test kills QGIS now (SIGKILL, no clean exit), as a crash would: nothing more is done in here
            self.write(current_step=None, finished=True, awaiting_kill=True)
            _event("awaiting-kill")
            return
        self.write(current_step=None, finished=True)
        _event("finished")
        QgsProject.instance().setDirty(False)  # no "save project?" question on the way out
        QgsApplication.exit(0)


def run_checks():
    state = _state()
    if state.checks_started:
        return
    state.checks_started = True
    install_early_hooks()  # in case PYQGIS_STARTUP was not honoured
    from qgis.utils import iface

    steps = load_steps()
    runner = Runner(iface, steps)
    state.keep.append(runner)
    _event("checks-start", steps=[step.name for step in steps])
    runner.start()


def _main():
    utils = sys.modules.get("qgis.utils")
    if utils is not None and getattr(utils, "iface", None) is not None:
        run_checks()  # --code: QGIS is up
    else:
        install_early_hooks()  # PYQGIS_STARTUP: before plugins load


try:
    _main()
except Exception:  # never leave QGIS running: write what we know and quit
    _text = traceback.format_exc()
    sys.stderr.write("[baimei-desktop-check] failed:\n" + _text)
    _event("runner-error", text=_text)
    if os.environ.get("BAIMEI_DESKTOP_RESULT") and _state().checks_started:
        from qgis.core import QgsApplication

        with open(os.environ["BAIMEI_DESKTOP_RESULT"], "w", encoding="utf-8") as _stream:
            json.dump({"steps": [], "runner_errors": [_text]}, _stream)
        QgsApplication.exit(1)
