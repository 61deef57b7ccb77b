"""A tiny recipe over a tiny folder of photos, trained in about a second."""

from pathlib import Path

from tests.data.photos import write_photos

TINY = """
name = "tiny"
arch = "espcn"
scales = [2, 3]
seed = 3
ema = 0.9
progress_every = 1

[network]
features = [6, 4]

[data]
train = ["photos"]
patch_size = 12
batch_size = 4

[optimizer]
lr = 0.01

[schedule]
name = "cosine"
iterations = 6
"""


def write_tiny_recipe(folder: Path, text: str = TINY, *, validation: bool = False) -> Path:
    """`folder`/tiny.toml with its photos in `folder`/photos (and a benchmark folder `Bench`)."""
    write_photos(folder / "photos", count=3)
    if validation:
        write_photos(folder / "Bench", count=2, size=(24, 24), seed=9)
        text += '\n[validation]\nfolders = ["Bench"]\nevery = 3\n'
    path = folder / "tiny.toml"
    path.write_text(text)
    return path


def losses_and_result(trainer, recipe, checkpoint, *, stop_after=None):
    """Run `trainer` (fit or one built on it) at x2 on the CPU: the losses it reported and its
    result, or None when it was stopped after `stop_after` progress reports (as the GUI's cancel
    does, by closing the generator)."""
    run = trainer(recipe, scales=(2,), checkpoint=checkpoint, device="cpu")
    losses = []
    while True:
        try:
            progress = next(run)
        except StopIteration as finished:
            return losses, finished.value
        losses.append(progress.loss)
        if len(losses) == stop_after:
            run.close()
            return losses, None
