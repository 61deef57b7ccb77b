"""Add notes to a weights file's card (its metadata and the Markdown card beside it): what a
training run cannot know about itself, such as how far it is from the paper and why.

    python scripts/card_notes.py models/srresnet-x4.safetensors notes.md

The tensors are written back unchanged (fp16 files stay fp16; their values are exact in float32).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from enhancer.models.registry import architectures
from enhancer.models.weights import load_state_dict, read_header, save_weights
from enhancer.train.export import card_markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path)
    parser.add_argument("notes", type=Path, help="a Markdown file with the notes")
    args = parser.parse_args()
    header = read_header(args.weights)
    card = {**header.card, "notes": args.notes.read_text(encoding="utf-8").strip()}
    network = architectures()[header.arch].network(scale=header.scales[0], **header.config)
    network.load_state_dict(load_state_dict(header))
    save_weights(args.weights, network, name=header.name, arch=header.arch, scales=header.scales,
                 config=header.config, card=card, half=card.get("stored_as") == "fp16")
    args.weights.with_suffix(".md").write_text(card_markdown(header.name, header.arch, card),
                                               encoding="utf-8")


if __name__ == "__main__":
    main()
