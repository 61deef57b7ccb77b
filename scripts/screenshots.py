"""Stage the app and save the README's screenshots: the before/after wipe, a three-model
comparison with scores, the reference panel in use with SRNTT and where it matched, candidates
drawn for a thumbnail, and the settings' Fine-tune tab.

Run it under a display (scripts/screenshot.sh starts Xvfb); it uses a private user folder and
private settings, so it shows what a first start shows.

    python scripts/screenshots.py docs/screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

WINDOW_SIZE = (1440, 900)
# A part of the sample photo with fine detail, as fractions of its width and height.
DETAIL = (0.36, 0.7)
DETAIL_ZOOM = 3.0


def main(folder: Path) -> None:
    private = Path(tempfile.mkdtemp(prefix="enhancer-screenshots-"))
    os.environ["ENHANCER_HOME"] = str(private / "home")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(private / "settings"))
    app = QApplication(sys.argv[:1])
    from enhancer.app import create_main_window
    from enhancer.models.catalog import catalog
    from enhancer.ui.theme import apply_theme

    apply_theme(app)
    folder.mkdir(parents=True, exist_ok=True)
    window = create_main_window([])
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app, 500)
    names = {entry.id for entry in catalog()}
    best = "raisr" if "raisr" in names else "lanczos"

    window.models.select(best, 2)
    run(app, window, window.actions.run.trigger)
    window.view.set_state(detail_state(window.view, zoom=DETAIL_ZOOM / 2))
    window.view.photo_item.set_split(DETAIL[0])
    save(app, window, folder / "main-window.png")

    window.models.simulate.setChecked(True)
    third = best if best == "raisr" else "nearest"
    window.models.set_compared(["bicubic", "lanczos", third])
    run(app, window, window.actions.compare_models.trigger, runs=3)
    window.compare.views[0].set_state(detail_state(window.compare.views[0], zoom=DETAIL_ZOOM))
    save(app, window, folder / "compare.png")

    window.models.simulate.setChecked(False)
    window.results.list.setCurrentRow(0)
    window.actions.wipe.trigger()
    window.docks["References"].raise_()
    window.references.add_paths(reference_photos(private))
    if "srntt-rec" in names:
        # Simulated: the photo downscaled x4 is the input, so the crops show what it lost.
        window.models.simulate.setChecked(True)
        window.models.select("srntt-rec", 4)
        run(app, window, window.actions.run.trigger)
        window.view.set_state(detail_state(window.view, zoom=DETAIL_ZOOM / 2))
        window.view.photo_item.set_split(DETAIL[0])
        save(app, window, folder / "reference-panel.png")
        run(app, window, window.actions.matches.trigger)
        save(app, window, folder / "reference-matches.png")
        window.models.simulate.setChecked(False)
        window.actions.wipe.trigger()
    else:
        window.models.select("bicubic", 2)
        save(app, window, folder / "reference-panel.png")

    if window.open_path(thumbnail(private)):
        dialog = window.open_candidates()
        if dialog is not None:
            run(app, window, dialog.draw)
            save(app, dialog, folder / "candidates.png")
            dialog.close()

    settings = window.open_settings()
    settings.tabs.setCurrentWidget(settings.finetune)
    tab = settings.finetune
    tab.base.setCurrentText("srgan" if "srgan" in names else "espcn")
    tab.add_folder(Path.home() / "Pictures" / "family")
    tab.name.setText("family")
    save(app, settings, folder / "settings-finetune.png")
    settings.close()
    window.close()


def detail_state(view, *, zoom: float):
    from enhancer.ui.photo_view import ViewState

    width, _ = view.picture_size()
    return ViewState(zoom * width, *DETAIL)


def reference_photos(folder: Path) -> list[Path]:
    """Two crops of the sample photo, standing in for photos of the same scene."""
    from enhancer import paths
    from enhancer.imaging.io import read_image, write_image

    photo = read_image(paths.sample_photo())
    height, width = photo.rgb.shape[:2]
    crops = []
    for index, (top, left) in enumerate(((0, 0), (height // 3, width // 3))):
        rgb = photo.rgb[top : top + height // 2, left : left + width // 2].copy()
        crop = type(photo)(rgb=rgb, alpha=None, icc_profile=None, exif=None,
                           grayscale=False, format="PNG")
        path = folder / f"reference-{index + 1}.png"
        write_image(path, crop)
        crops.append(path)
    return crops


def thumbnail(folder: Path) -> Path:
    """The sample photo shrunk to 8 x 8 pixels: what pixelrsr's candidates are for."""
    import torch

    from enhancer import paths
    from enhancer.imaging.io import photo_to_tensors, read_image, tensors_to_photo, write_image
    from enhancer.imaging.resize import imresize

    photo = read_image(paths.sample_photo())
    rgb, _ = photo_to_tensors(photo)
    side = min(rgb.shape[-2:])
    square = rgb[..., :side, :side]
    tiny = imresize(square, size=(8, 8)).clamp(0, 1).to(torch.float32)
    path = folder / "thumbnail.png"
    write_image(path, tensors_to_photo(tiny, None, like=photo))
    return path


def run(app: QApplication, window, trigger, *, runs: int = 1) -> None:
    """Trigger a run and wait until `runs` tasks are done, counting every one (fast models
    finish while the previous one is still being settled)."""
    loop = QEventLoop()
    remaining = [runs]

    def task_done() -> None:
        remaining[0] -= 1
        if remaining[0] == 0:
            loop.quit()

    window.tasks.done.connect(task_done)
    trigger()
    if remaining[0] > 0:
        loop.exec()
    window.tasks.done.disconnect(task_done)
    settle(app, 100)


def settle(app: QApplication, milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def save(app: QApplication, window, path: Path) -> None:
    settle(app, 400)
    window.grab().save(str(path))
    print(f"saved {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
