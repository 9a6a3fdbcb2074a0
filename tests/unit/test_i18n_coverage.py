"""Every user-visible text of the panel and the algorithms goes through translation (issue 18).

A lint over the source with ``ast`` (no QGIS needed): in gui/ and plugin.py, the text given to the message bar,
message boxes, tooltips, titles, labels and table headers is a ``tr()`` call (or a value computed elsewhere), never a
bare string literal or f-string, which translators would never see; in tasks/ (and gui/), the texts composed for the
panel to show later (a result's summary and notes, a "cancelled" line, a problem to say) are translated too; in
processing/, the texts Processing shows (name, group, help) are translated where they are returned and marked for
``pylupdate5`` where they are written.
"""

import ast
import os
from xml.etree import ElementTree

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGIN = os.path.join(ROOT, "bai_mei_plugin")

# Calls whose text arguments the analyst reads: name -> positions of the text arguments (None: every argument).
ALL = None
TEXT_CALLS = {
    **dict.fromkeys(("pushMessage", "pushWarning", "pushInfo", "pushCritical", "pushSuccess"), ALL),
    **dict.fromkeys(("setToolTip", "setWindowTitle", "setText", "setStatusTip", "setPlaceholderText"), ALL),
    **dict.fromkeys(("setHorizontalHeaderLabels", "setWhatsThis", "setInformativeText", "setLabelText"), ALL),
    **dict.fromkeys(("setTitle", "addRow", "addItem", "addButton"), (0,)),
    **dict.fromkeys(("setTabText", "setItemText", "getExistingDirectory"), (1,)),
    **dict.fromkeys(("getOpenFileName", "getSaveFileName"), (1, 3)),  # the caption and the file filter
    **dict.fromkeys(
        ("QPushButton", "QLabel", "QCheckBox", "QRadioButton", "QGroupBox", "QgsCollapsibleGroupBox"), (0,)
    ),
    "QAction": ALL,
}
TEXT_KEYWORDS = {"text", "title", "caption", "filter", "toolTip"}
# Names that stay as written in every language.
UNTRANSLATED = {"Bai Mei"}


def _readable(text: str) -> bool:
    """Whether a piece of literal text holds words (a lone "—", "…", ", " or a unit symbol needs no translator)."""
    return text.strip() not in UNTRANSLATED and sum(c.isalpha() for c in text) >= 2


def _bare_text(node) -> bool:
    """Whether ``node`` is (or builds) literal text that no tr() call translated."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and _readable(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and _readable(part.value) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _bare_text(node.left) or _bare_text(node.right)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_bare_text(element) for element in node.elts)
    if isinstance(node, ast.IfExp):
        return _bare_text(node.body) or _bare_text(node.orelse)
    if isinstance(node, ast.Lambda):  # a text made when it is shown: cancelled=lambda task: f"..."
        return _bare_text(node.body)
    if _call_name(node) == "format" and isinstance(node.func, ast.Attribute):  # "... {n}".format(n=n)
        return _bare_text(node.func.value)
    return False  # a tr() call, a variable, a value computed elsewhere


def _text_arguments(call: ast.Call) -> list:
    """The arguments of ``call`` that the analyst reads: all of QMessageBox's and the listed calls' texts."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    box = (isinstance(func, ast.Name) and func.id == "QMessageBox") or (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "QMessageBox"
    )
    if not box and name not in TEXT_CALLS:
        return []
    positions = None if box else TEXT_CALLS[name]
    texts = [arg for i, arg in enumerate(call.args) if positions is None or i in positions]
    return texts + [k.value for k in call.keywords if positions is None or k.arg in TEXT_KEYWORDS]


# Texts made away from the call that shows them (the tasks compose them, the panel shows them as they are): what is
# assigned to these names or attributes, passed as these keywords, or given as a task result's summary.
SHOWN_NAMES = {"summary", "note", "case_problem", "cancelled"}
RESULTS = {"AnalysisResult", "RadarResult"}  # their first argument is the summary the page and message bar show


def _target_name(target):
    return target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)


def _composed_texts(node) -> list:
    """The texts ``node`` hands on for the panel to show later (see SHOWN_NAMES and RESULTS)."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [node.value] if node.value and any(_target_name(t) in SHOWN_NAMES for t in targets) else []
    if not isinstance(node, ast.Call):
        return []
    texts = [k.value for k in node.keywords if k.arg in SHOWN_NAMES]
    name = _call_name(node)
    if name in RESULTS and node.args:
        texts.append(node.args[0])
    if name == "append" and isinstance(node.func.value, (ast.Name, ast.Attribute)):
        if _target_name(node.func.value) == "notes":  # a result's notes, shown under its summary
            texts += node.args
    return texts


def untranslated_calls(path: str, relative: str) -> list:
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found = []
    for node in ast.walk(tree):
        texts = _composed_texts(node) + (_text_arguments(node) if isinstance(node, ast.Call) else [])
        if any(_bare_text(text) for text in texts):
            found.append(f"{relative}:{node.lineno}")
    return found


def python_files(folder: str) -> list:
    return sorted(
        os.path.join(folder, name) for name in os.listdir(os.path.join(PLUGIN, folder)) if name.endswith(".py")
    )


def test_panel_tasks_and_plugin_texts_go_through_tr():
    """BaiMeiError texts are left out: they come from core/ and services/ too (no Qt there) and go to the log, so
    they stay in English everywhere (qgis_io/i18n.py says so)."""
    files = [*python_files("gui"), *python_files("tasks"), "plugin.py"]
    found = [where for relative in files for where in untranslated_calls(os.path.join(PLUGIN, relative), relative)]
    assert not found, 'text shown without tr() (wrap it: tr("... {name} ...").format(name=...)):\n' + "\n".join(found)


# --- processing/ ---------------------------------------------------------------------------------------------------

RETURNED = {"displayName", "shortHelpString", "group"}
MARKED = {"DISPLAY_NAME", "HELP"}
TRANSLATING = {"tr", "shared_tr", "translate", "QT_TRANSLATE_NOOP"}


def _call_name(node):
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


def _translated(node) -> bool:
    """A translating call, or the .format() of one (the values filled in after translation)."""
    if _call_name(node) == "format" and isinstance(node.func, ast.Attribute):
        node = node.func.value
    return _call_name(node) in TRANSLATING


def processing_problems(path: str, relative: str) -> list:
    """Methods returning Processing's texts that do not translate them, and DISPLAY_NAME/HELP class attributes that
    are not QT_TRANSLATE_NOOP(<the class's name>, ...) (what pylupdate5 extracts under that context, and what
    BaiMeiAlgorithm translates at run time with the class's name)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    problems = []
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name in RETURNED:
                for ret in (n for n in ast.walk(item) if isinstance(n, ast.Return)):
                    if not _translated(ret.value):
                        problems.append(f"{relative}:{ret.lineno} {cls.name}.{item.name} returns untranslated text")
            if isinstance(item, ast.Assign) and any(getattr(t, "id", None) in MARKED for t in item.targets):
                value = item.value
                marked = (
                    _call_name(value) == "QT_TRANSLATE_NOOP"
                    and isinstance(value.args[0], ast.Constant)
                    and value.args[0].value == cls.name
                )
                if not marked and not (isinstance(value, ast.Constant) and value.value == ""):
                    problems.append(
                        f'{relative}:{item.lineno} {cls.name}: write it QT_TRANSLATE_NOOP("{cls.name}", ...)'
                    )
    return problems


def in_processing(check) -> list:
    """What ``check(path, relative path)`` finds in each Python file of processing/."""
    return [
        found for relative in python_files("processing") for found in check(os.path.join(PLUGIN, relative), relative)
    ]


def test_processing_names_and_help_are_translated():
    found = in_processing(processing_problems)
    assert not found, "\n".join(found)


def untranslated_descriptions(path: str, relative: str) -> list:
    """Parameter and output descriptions written as bare text: the second argument of a QgsProcessingParameter* or
    QgsProcessingOutput* (its description), and the labels of (self.KEY, "label", ...) rows looped over to add
    several parameters alike."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found = []
    for node in ast.walk(tree):
        name = _call_name(node) or ""
        described = name.startswith(("QgsProcessingParameter", "QgsProcessingOutput")) and len(node.args) > 1
        if described and _bare_text(node.args[1]):
            found.append(f"{relative}:{node.lineno} {name}")
        row = isinstance(node, ast.Tuple) and len(node.elts) > 1 and isinstance(node.elts[0], ast.Attribute)
        if row and isinstance(node.elts[0].value, ast.Name) and node.elts[0].value.id == "self":
            if _bare_text(node.elts[1]):
                found.append(f"{relative}:{node.lineno} ({node.elts[0].attr}, ...)")
    return found


def test_processing_parameter_descriptions_are_translated():
    found = in_processing(untranslated_descriptions)
    assert not found, 'description without self.tr("..."):\n' + "\n".join(found)


def test_the_base_algorithm_translates_what_it_returns():
    """The algorithms that define no displayName/shortHelpString of their own rely on BaiMeiAlgorithm's."""
    problems = processing_problems(os.path.join(PLUGIN, "processing", "base.py"), "processing/base.py")
    with open(os.path.join(PLUGIN, "processing", "base.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    base = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "BaiMeiAlgorithm")
    defined = {item.name for item in base.body if isinstance(item, ast.FunctionDef)}
    assert RETURNED <= defined and not problems, problems


@pytest.mark.parametrize(
    "source, bare",
    [
        ('bar.pushMessage("Bai Mei", "Select a gap first.", level, 4)', True),
        ('bar.pushMessage("Bai Mei", f"Added {name}.", level, 4)', True),
        ('bar.pushMessage("Bai Mei", tr("Added {name}.").format(name=name), level, 4)', False),
        ('bar.pushMessage("Bai Mei", message, level, 4)', False),
        ('QMessageBox.warning(parent, "Bai Mei", "Cannot " + path)', True),
        ('label.setText("—")', False),
        ('table.setHorizontalHeaderLabels([tr("Time"), "MMSI"])', True),
        ('widget.setToolTip(f"{count:,}")', False),
        ('combo.addItem(tr("GeoPackage"), "gpkg")', False),  # the item's data is no text
        ('QFileDialog.getOpenFileName(self, tr("Open"), folder, "CSV files (*.csv)")', True),
        ('runner = TaskRunner(iface, done, cancelled=lambda task: f"Loading {task.name} was cancelled.")', True),
        ('runner = TaskRunner(iface, done, cancelled=lambda task: tr("Stopped {n}.").format(n=task.name))', False),
        ('summary = f"{count:,} encounters at sea."', True),
        ('result.case_problem = "Could not write {path}.".format(path=path)', True),
        ('summary = tr("{count:,} encounters at sea.").format(count=count)', False),
        ('return AnalysisResult(f"{count:,} port visits.", layers)', True),
        ('notes.append(f"Scored without land: {exc.message}")', True),
        ("notes.append(exc.message)", False),  # a BaiMeiError's text: English by design
    ],
)
def test_the_lint_tells_bare_text_from_translated(tmp_path, source, bare):
    """The check itself: literals and f-strings are caught, tr() calls, variables and text without words are not."""
    path = tmp_path / "sample.py"
    path.write_text(source + "\n", encoding="utf-8")
    assert bool(untranslated_calls(str(path), "sample.py")) is bare


# --- the committed .ts holds every marked text ---------------------------------------------------------------------

TS = os.path.join(ROOT, "resources", "i18n", "bai_mei_fr.ts")


def ts_sources() -> set:
    """(context, source) pairs of the committed translation source."""
    root = ElementTree.parse(TS).getroot()
    return {
        (context.findtext("name"), message.findtext("source"))
        for context in root.iter("context")
        for message in context.iter("message")
    }


def marked_texts(path: str) -> list:
    """(context, text, line) of every literal the code translates: tr() (context @default), self.tr() (the class's
    name), QT_TRANSLATE_NOOP(context, text) and QCoreApplication.translate(context, text)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found = []

    def visit(node, cls):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.ClassDef) else cls
            if isinstance(child, ast.Call) and child.args and isinstance(child.args[-1], ast.Constant):
                func, text = child.func, child.args[-1].value
                if isinstance(func, ast.Name) and func.id in ("tr", "QT_TR_NOOP"):
                    found.append(("@default", text, child.lineno))
                elif isinstance(func, ast.Attribute) and func.attr == "tr" and cls:
                    found.append((cls, text, child.lineno))
                elif _call_name(child) in ("QT_TRANSLATE_NOOP", "translate") and isinstance(
                    child.args[0], ast.Constant
                ):
                    found.append((child.args[0].value, text, child.lineno))
            visit(child, inner)

    visit(tree, None)
    return found


def test_every_translated_text_is_in_the_committed_ts():
    """pylupdate5 extracted each text exactly as Python holds it (it silently skips some forms, such as a text
    followed by a trailing comma), and `make translations` was run after the last change."""
    sources = ts_sources()
    missing = []
    for folder, _dirs, names in os.walk(PLUGIN):
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(folder, name)
            for context, text, line in marked_texts(path):
                if isinstance(text, str) and (context, text) not in sources:
                    missing.append(f"{os.path.relpath(path, PLUGIN)}:{line} [{context}] {text[:60]!r}")
    assert not missing, "not in resources/i18n/bai_mei_fr.ts (run make translations):\n" + "\n".join(missing)
