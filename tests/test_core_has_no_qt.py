"""The core must run headless (servers, the CLI, training jobs), so it may never load Qt."""

import json
import subprocess
import sys
import textwrap

IMPORT_THE_CORE = textwrap.dedent("""
    import contextlib, importlib, io, json, pkgutil, sys
    import enhancer

    GUI = ("enhancer.app", "enhancer.ui")
    # Running python -m enhancer starts the app: that is the GUI's door, not a core module.
    NOT_IMPORTABLE = ("enhancer.__main__",)

    def core_modules(package):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if info.name in GUI or info.name in NOT_IMPORTABLE:
                continue
            module = importlib.import_module(info.name)
            yield info.name
            if info.ispkg:
                yield from core_modules(module)

    imported = list(core_modules(enhancer))
    from enhancer.cli import main
    with contextlib.redirect_stdout(io.StringIO()):
        for argv in (["--help"], ["upscale", "--help"], ["models", "--help"], ["bench", "--help"]):
            try:
                main(argv)
            except SystemExit:
                pass
    qt = sorted(name for name in sys.modules if name.startswith(("PySide6", "shiboken6")))
    print(json.dumps({"imported": imported, "qt": qt}))
""")


def test_importing_the_core_and_the_cli_loads_no_qt():
    result = subprocess.run([sys.executable, "-c", IMPORT_THE_CORE], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert {"enhancer.cli", "enhancer.paths", "enhancer.models.registry",
            "enhancer.models.archs.interpolation", "enhancer.engine.device"} <= set(report["imported"])
    assert not any(name.startswith(("enhancer.ui", "enhancer.app")) for name in report["imported"])
    assert report["qt"] == []
