"""The package itself: Python 3.9 syntax, standard library only, and a wheel that builds offline."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

import layers_connect

SDK = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
PACKAGE = os.path.join(SDK, "layers_connect")
# What the package may import: standard library modules that Python 3.9 has.
STANDARD_LIBRARY = {
    "__future__", "base64", "binascii", "datetime", "email", "hashlib", "hmac", "http", "json",
    "logging", "math", "os", "platform", "random", "socket", "time", "typing", "urllib", "uuid",
}
MODULES = sorted(os.path.join(PACKAGE, name) for name in os.listdir(PACKAGE) if name.endswith(".py"))


def source(path: str) -> str:
    with open(path, encoding="utf-8") as file:
        return file.read()


class PackageTests(unittest.TestCase):
    def test_every_module_is_python_3_9_syntax(self) -> None:
        self.assertGreaterEqual(len(MODULES), 5)
        for path in MODULES:
            ast.parse(source(path), filename=path, feature_version=(3, 9))

    def test_annotations_are_never_evaluated_so_3_10_types_cannot_break_3_9(self) -> None:
        for path in MODULES:
            tree = ast.parse(source(path))
            self.assertIn("annotations", [a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__" for a in n.names], path)
            annotations = {id(node) for n in ast.walk(tree) for a in _annotations(n) for node in ast.walk(a)}
            runtime_unions = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr) and id(n) not in annotations]
            self.assertEqual(runtime_unions, [], f"{path}: X | Y outside an annotation needs 3.10")

    def test_imports_only_the_standard_library(self) -> None:
        for path in MODULES:
            imported = set()
            for node in ast.walk(ast.parse(source(path))):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
            self.assertEqual(imported - STANDARD_LIBRARY, set(), path)

    def test_every_module_stays_under_300_lines(self) -> None:
        for path in MODULES:
            self.assertLess(source(path).count("\n"), 300, path)

    def test_exports_and_version(self) -> None:
        for name in layers_connect.__all__:
            self.assertTrue(hasattr(layers_connect, name), name)
        pyproject = source(os.path.join(SDK, "pyproject.toml"))
        self.assertEqual(re.search(r'^version = "(.+)"$', pyproject, re.M).group(1), layers_connect.__version__)  # type: ignore[union-attr]

    def test_pyproject_builds_a_source_distribution_offline_with_no_dependencies(self) -> None:
        with tempfile.TemporaryDirectory() as temp:
            # A copy, so the build leaves no build/ or egg-info in the repository.
            tree = os.path.join(temp, "src")
            shutil.copytree(SDK, tree, ignore=shutil.ignore_patterns("tests", "*.ts", "__pycache__", "build", "*.egg-info"))
            built = subprocess.run(
                [sys.executable, "-c", "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))", os.path.join(temp, "dist")],
                cwd=tree, capture_output=True, text=True, timeout=120,
            )
            self.assertEqual(built.returncode, 0, built.stdout + built.stderr)
            name = built.stdout.strip().splitlines()[-1]
            self.assertEqual(name, "layers-connect-0.1.0.tar.gz")
            with tarfile.open(os.path.join(temp, "dist", name)) as archive:
                names = set(archive.getnames())
                metadata = archive.extractfile("layers-connect-0.1.0/PKG-INFO").read().decode()  # type: ignore[union-attr]
        for module in MODULES + [os.path.join(PACKAGE, "py.typed")]:
            self.assertIn(f"layers-connect-0.1.0/layers_connect/{os.path.basename(module)}", names)
        self.assertIn("Name: layers-connect", metadata)
        self.assertIn("Requires-Python: >=3.9", metadata)
        self.assertIn("# layers-connect", metadata)  # the README is the long description
        self.assertNotIn("Requires-Dist", metadata)


def _annotations(node: ast.AST) -> list:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs + [a for a in (node.args.vararg, node.args.kwarg) if a]
        return [a.annotation for a in args if a.annotation] + ([node.returns] if node.returns else [])
    if isinstance(node, ast.AnnAssign):
        return [node.annotation]
    return []


if __name__ == "__main__":
    unittest.main()
