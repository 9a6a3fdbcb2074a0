"""Is the plugin's Python ready for QGIS 4 (Qt6)? No Qt6 QGIS installs here, so this checks what can be checked:

``--qgis`` (run with the QGIS 3 Python): every ``Class.Member`` the plugin writes, where ``Class`` comes from
``qgis.PyQt`` or ``qgis.core``/``gui``/``analysis`` and ``Member`` is a value of one of its enums, is written scoped
(``Qt.AlignmentFlag.AlignLeft``, ``QgsFeatureSink.Flag.FastInsert``): PyQt6 and QGIS 4 have no unscoped enum values.
QGIS 3 already accepts the scoped form, so the fix keeps 3.22 working. ``--fix`` rewrites them in place.

``--pyqt6`` (run with a Python that has PyQt6, no QGIS): every name imported from ``qgis.PyQt.<Module>`` exists in
``PyQt6.<Module>``, every ``Class.Enum.Member`` and ``Class.attribute`` on a Qt class resolves there, and no call
uses the Qt5-only ``exec_``. A line marked ``# qt5-only`` (a fallback only QGIS 3 reaches) is not checked.

Both print ``file:line: what to change`` and exit 1 when anything is left.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "bai_mei_plugin"
QGIS_MODULES = ("qgis.core", "qgis.gui", "qgis.analysis")


def python_files() -> List[Path]:
    return sorted(p for p in PLUGIN.rglob("*.py") if "__pycache__" not in p.parts)


def imported_names(tree: ast.AST, skip_lines=frozenset()) -> Dict[str, Tuple[str, str]]:
    """local name -> (module, name) for ``from qgis.PyQt.X import Y`` and ``from qgis.core import Y`` (any depth)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.lineno not in skip_lines:
            if node.module.startswith("qgis.PyQt.") or node.module in QGIS_MODULES:
                for alias in node.names:
                    names[alias.asname or alias.name] = (node.module, alias.name)
    return names


def class_attributes(tree: ast.AST, names) -> Iterator[Tuple[ast.Attribute, str]]:
    """Every ``Name.attr`` whose name is an imported Qt or QGIS class."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in names:
            yield node, node.value.id


def _enum_of(owner, attr: str):
    """The name of the enum whose value ``owner.attr`` is, when it is one written unscoped; else None."""
    try:
        value = getattr(owner, attr)
    except AttributeError:
        return None
    kind = type(value)
    if type(kind).__name__ != "enumtype" and not _is_python_enum(kind):
        return None
    enum_name = kind.__qualname__.rsplit(".", 1)[-1]
    if enum_name == attr or getattr(getattr(owner, enum_name, None), attr, None) is None:
        return None
    return enum_name


def _is_python_enum(kind) -> bool:
    import enum

    return isinstance(kind, type) and issubclass(kind, enum.Enum)


def check_qgis(fix: bool) -> List[str]:
    problems = []
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        names = imported_names(tree)
        edits = []  # (line, col, insertion)
        for node, local in class_attributes(tree, names):
            module, name = names[local]
            owner = getattr(importlib.import_module(module), name, None)
            enum_name = _enum_of(owner, node.attr) if owner is not None else None
            if enum_name:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                problems.append(f"{where}: {local}.{node.attr} -> {local}.{enum_name}.{node.attr}")
                edits.append((node.end_lineno, node.end_col_offset - len(node.attr), f"{enum_name}."))
        if fix and edits:
            lines = text.splitlines(keepends=True)
            for line, col, insertion in sorted(edits, reverse=True):
                source = lines[line - 1].encode("utf-8")  # ast offsets are in UTF-8 bytes
                lines[line - 1] = (source[:col] + insertion.encode() + source[col:]).decode("utf-8")
            path.write_text("".join(lines), encoding="utf-8")
    return problems


def check_pyqt6() -> List[str]:
    problems = []
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        qt5_only = {n for n, line in enumerate(text.splitlines(), 1) if "# qt5-only" in line}
        names = imported_names(tree, skip_lines=qt5_only)
        rel = path.relative_to(ROOT)
        qt_names = {}
        for local, (module, name) in names.items():
            if not module.startswith("qgis.PyQt."):
                continue
            qt_module = module.replace("qgis.PyQt.", "PyQt6.", 1)
            if qt_module == "PyQt6.uic":  # QGIS provides qgis.PyQt.uic on Qt6 too (loadUiType)
                continue
            owner = getattr(importlib.import_module(qt_module), name, None)
            if owner is None:
                problems.append(f"{rel}: {name} is not in {qt_module} (import it where Qt6 has it)")
            else:
                qt_names[local] = owner
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in qt5_only:
                continue
            if isinstance(node, ast.Attribute) and node.attr == "exec_":
                problems.append(f"{rel}:{node.lineno}: exec_() -> exec() (PyQt6 has no exec_)")
        for node, local in class_attributes(tree, qt_names):
            if node.lineno in qt5_only:
                continue
            owner = qt_names[local]
            chain = [node.attr]
            parent = _parents(tree).get(node)
            if isinstance(parent, ast.Attribute) and parent.value is node:
                chain.append(parent.attr)
            value = owner
            for attr in chain:
                value = getattr(value, attr, None)
                if value is None:
                    problems.append(f"{rel}:{node.lineno}: {local}.{'.'.join(chain)} does not resolve in PyQt6")
                    break
    return problems


_PARENTS: Dict[int, Dict] = {}


def _parents(tree: ast.AST) -> Dict:
    key = id(tree)
    if key not in _PARENTS:
        _PARENTS[key] = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    return _PARENTS[key]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--qgis", action="store_true", help="enum values written unscoped (QGIS 3 Python)")
    mode.add_argument("--pyqt6", action="store_true", help="Qt names that do not resolve in PyQt6")
    parser.add_argument("--fix", action="store_true", help="with --qgis: scope them in place")
    args = parser.parse_args(argv)
    problems = check_qgis(args.fix) if args.qgis else check_pyqt6()
    for line in problems:
        print(line)
    label = "Qt6 enum scoping" if args.qgis else "PyQt6 names"
    if problems and not args.fix:
        print(f"{label}: {len(problems)} to change.", file=sys.stderr)
        return 1
    print(f"{label}: {'fixed ' + str(len(problems)) if args.fix else 'nothing to change'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
