"""Builds src/journeyblog/_words.c, the leak audit's inner loop, into the wheel.

Where no C compiler or Python headers are found, it says so and the wheel is built without
it: journeyblog then reads outputs' words in Python, the same words, more slowly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("src/journeyblog/_words.c")


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        name = "_words" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")
        root = Path(self.root)
        if version == "editable":  # imported from src/: built beside the source
            target = root / SOURCE.parent / name
            if _compile(root / SOURCE, target):
                build_data["pure_python"] = False
                build_data["infer_tag"] = True
            return
        folder = Path(tempfile.mkdtemp(prefix="journeyblog-build-"))
        target = folder / name
        if _compile(root / SOURCE, target):
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"][str(target)] = f"journeyblog/{name}"


def _compile(source: Path, target: Path) -> bool:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()
    include = sysconfig.get_paths()["include"]
    if shutil.which(compiler[0]) is None or not Path(include, "Python.h").is_file():
        print(f"journeyblog: no C compiler or Python headers; {source.name} not built")
        return False
    command = [*compiler, "-O2", "-shared", "-fPIC", f"-I{include}", str(source), "-o"]
    partial = target.with_name(target.name + ".partial")
    result = subprocess.run([*command, str(partial)], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"journeyblog: {source.name} not built:\n{result.stderr}")
        partial.unlink(missing_ok=True)
        return False
    os.replace(partial, target)
    return True
