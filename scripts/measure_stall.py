"""How long the window stops answering while a 12-megapixel photo is upscaled on the CPU.

Opens the real main window on a 4000 x 3000 photo, starts a x2 upscale on the CPU, and runs a
10 ms timer heartbeat on the GUI thread; the longest gap between beats (less the 10 ms period) is
the longest the event loop was held. ESPCN-shaped weights are random (speed and stalls do not
depend on their values) and saved as a user model in a temporary $ENHANCER_HOME.

    QT_QPA_PLATFORM=offscreen python scripts/measure_stall.py [--model espcn|bicubic]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

HEARTBEAT_MS = 10
LISTED_STALL_MS = 40
SIZE = (3000, 4000)  # height, width: 12 megapixels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="espcn", choices=("espcn", "bicubic"))
    parser.add_argument("--list-stalls", action="store_true",
                        help=f"also list every stall over {LISTED_STALL_MS} ms and when it happened")
    args = parser.parse_args()
    private = Path(tempfile.mkdtemp(prefix="enhancer-stall-"))
    os.environ["ENHANCER_HOME"] = str(private / "home")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(private / "settings"))
    app = QApplication([])
    model = random_espcn() if args.model == "espcn" else "bicubic"
    photo = write_photo(private / "photo-12mp.jpg")

    from enhancer.ui.main_window import MainWindow

    window = MainWindow(device_description="CPU")
    window.resize(1400, 900)
    window.show()
    opened = time.perf_counter()
    window.open_path(photo)
    opened = time.perf_counter() - opened
    window.models.select(model, 2)
    window.models.device.setCurrentText("cpu")
    window.models.simulate.setChecked(False)

    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    done = QEventLoop()
    window.tasks.done.connect(done.quit)
    started = time.perf_counter()
    last[0] = started
    heartbeat.start()
    window.actions.run.trigger()
    done.exec()
    heartbeat.stop()
    seconds = time.perf_counter() - started
    result = window.results.current()
    stalls = sorted(gaps, reverse=True)
    print(f"model {model} x2 on the CPU, {SIZE[1]} x {SIZE[0]} photo; opening it took {opened:.2f} s "
          "(before the measurement)")
    if args.list_stalls:
        moment = 0.0
        for gap in gaps:
            moment += gap
            if gap * 1000 - HEARTBEAT_MS > LISTED_STALL_MS:
                print(f"stall of {gap * 1000 - HEARTBEAT_MS:.0f} ms ending {moment:.2f} s into the run")
    print(f"run: {seconds:.1f} s, result {'shown' if result else 'MISSING'}, {len(gaps)} beats")
    print(f"longest event-loop stall: {(stalls[0] * 1000 - HEARTBEAT_MS):.0f} ms "
          f"(gaps over the {HEARTBEAT_MS} ms period; next: "
          + ", ".join(f"{gap * 1000 - HEARTBEAT_MS:.0f}" for gap in stalls[1:5]) + " ms)")
    window.close()


def random_espcn() -> str:
    import torch

    from enhancer.models.archs.espcn import ESPCN
    from enhancer.models.weights import save_weights
    from enhancer.paths import user_models_dir

    torch.manual_seed(0)
    save_weights(user_models_dir() / "espcn-random-x2.safetensors", ESPCN(scale=2),
                 name="espcn-random", arch="espcn", scales=(2,), config={},
                 card={"title": "ESPCN (random weights, for timing)"})
    return "espcn-random"


def write_photo(path: Path) -> Path:
    """A 12-megapixel JPEG with smooth colour and fine noise, like a real photo's content."""
    from enhancer.imaging.io import Photo, write_image

    height, width = SIZE
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    noise = np.random.default_rng(0).normal(0, 12, (height, width, 3)).astype(np.float32)
    rgb = np.dstack([cols / width * 255, rows / height * 255, np.full_like(rows, 120)]) + noise
    photo = Photo(rgb=np.clip(rgb, 0, 255).astype(np.uint8), alpha=None, icc_profile=None,
                  exif=None, grayscale=False, format="JPEG")
    write_image(path, photo, quality=90)
    return path


if __name__ == "__main__":
    main()
