"""Paint resources/sample.png: the photo the app shows on first start.

We may not ship dataset images or anything under copyright, so the sample is a procedural scene:
a hazy evening landscape with a house, trees, a picket fence and a signpost. It is made to show
off upscaling: fine siding lines, roof tiles, window mullions, grass blades and small lettering
that interpolation blurs and a good model keeps sharp.

The scene is drawn at twice the output size and reduced with area averaging, which anti-aliases
every edge the way a camera sensor would. The random generator is seeded, so the file is the same
on every run.

    python resources/make_sample.py            # writes resources/sample.png
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

WIDTH, HEIGHT = 768, 512
SUPERSAMPLE = 2
SEED = 20240611
OUTPUT = Path(__file__).resolve().parent / "sample.png"
FLOWER_COLORS = ("f2d64b", "f4f1ea", "e06a8a", "b58be0", "f08a3c")

Color = tuple[float, float, float]


def rgb(hex_code: str) -> np.ndarray:
    """An sRGB colour as floats in [0, 1]."""
    return np.array([int(hex_code[i : i + 2], 16) / 255 for i in (0, 2, 4)], dtype=np.float32)


def px(value: float) -> int:
    """Scene units (output pixels) to canvas pixels."""
    return round(value * SUPERSAMPLE)


def points(*xy: tuple[float, float]) -> np.ndarray:
    return np.array([[px(x), px(y)] for x, y in xy], dtype=np.int32)


class Canvas:
    """An RGB float image that layers are painted onto through soft masks."""

    def __init__(self) -> None:
        self.height = HEIGHT * SUPERSAMPLE
        self.width = WIDTH * SUPERSAMPLE
        self.image = np.zeros((self.height, self.width, 3), dtype=np.float32)
        rows, cols = np.mgrid[0 : self.height, 0 : self.width].astype(np.float32)
        self.y = rows / SUPERSAMPLE
        self.x = cols / SUPERSAMPLE

    def blank_mask(self) -> np.ndarray:
        return np.zeros((self.height, self.width), dtype=np.uint8)

    def paint(self, mask: np.ndarray, color: np.ndarray) -> None:
        """Blend `color` (one colour, or an image) in where `mask` (0..1 or uint8) is set."""
        weight = mask.astype(np.float32)
        if mask.dtype == np.uint8:
            weight /= 255
        weight = weight[..., None]
        self.image = self.image * (1 - weight) + color * weight

    def polygon_mask(self, outline: np.ndarray) -> np.ndarray:
        mask = self.blank_mask()
        cv2.fillPoly(mask, [outline], 255, lineType=cv2.LINE_AA)
        return mask

    def below(self, ridge: np.ndarray) -> np.ndarray:
        """A soft mask of everything under a ridge line given per canvas column (scene units)."""
        return np.clip((self.y - ridge[None, :]) * SUPERSAMPLE + 0.5, 0, 1)

    def to_uint8(self) -> np.ndarray:
        small = cv2.resize(self.image, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
        return np.round(np.clip(small, 0, 1) * 255).astype(np.uint8)


def fractal_noise(rng: np.random.Generator, shape: tuple[int, int], *, cells: int,
                  octaves: int = 5, persistence: float = 0.5) -> np.ndarray:
    """Smooth value noise in [0, 1]: octaves of bicubically enlarged random grids."""
    height, width = shape
    total = np.zeros(shape, dtype=np.float32)
    amplitude = 1.0
    for octave in range(octaves):
        across = cells * 2**octave
        down = max(2, round(across * height / width))
        grid = rng.random((down + 1, across + 1), dtype=np.float32)
        total += amplitude * cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
        amplitude *= persistence
    total -= total.min()
    return total / total.max()


def ridge_line(rng: np.random.Generator, canvas: Canvas, *, base: float, height: float,
               octaves: int = 6) -> np.ndarray:
    """A hill or mountain outline: y per canvas column, from octaves of jagged random points."""
    x = np.arange(canvas.width, dtype=np.float32) / SUPERSAMPLE
    y = np.zeros_like(x)
    amplitude = 1.0
    for octave in range(octaves):
        knots = 3 * 2**octave
        knot_x = np.linspace(0, WIDTH, knots + 1)
        y += amplitude * np.interp(x, knot_x, rng.uniform(-1, 1, knots + 1))
        amplitude *= 0.5
    return base + height * y / 2


def paint_sky(canvas: Canvas, rng: np.random.Generator, sun: tuple[float, float]) -> None:
    top, horizon = rgb("2f5f9e"), rgb("f6c69a")
    t = np.clip(canvas.y / 330, 0, 1)[..., None] ** 1.4
    canvas.image = top * (1 - t) + horizon * t

    distance = np.hypot(canvas.x - sun[0], canvas.y - sun[1])
    glow = np.exp(-distance / 140)[..., None]
    canvas.image += glow * (rgb("ffe2a8") - canvas.image) * 0.85
    canvas.paint(np.clip(27 - distance, 0, 1), rgb("fff6dc"))

    # Clouds: thresholded noise, lit on the side that faces the sun (the noise falls toward it).
    clouds = fractal_noise(rng, (canvas.height, canvas.width), cells=5, octaves=6)
    fade = np.clip(1.1 - canvas.y / 260, 0, 1)
    density = np.clip((clouds - 0.55) * 3.5, 0, 1) * fade
    body = cv2.GaussianBlur(clouds, (0, 0), px(6))
    toward_sun = np.roll(body, shift=(px(6), -px(6)), axis=(0, 1))
    lit = np.clip((body - toward_sun) * 8 + 0.6, 0, 1)[..., None]
    canvas.paint(density * 0.85, rgb("fff4e6") * lit + rgb("d8cacf") * (1 - lit))


def paint_mountains(canvas: Canvas, rng: np.random.Generator) -> None:
    for base, height, color, haze in ((250, 70, "8e9fbf", 0.45), (292, 46, "5f7f8f", 0.25)):
        ridge = ridge_line(rng, canvas, base=base, height=height)
        rock = fractal_noise(rng, (canvas.height, canvas.width), cells=24, octaves=4)
        shade = (0.85 + 0.3 * rock)[..., None] * rgb(color)
        shade = shade * (1 - haze) + rgb("f0c8a8") * haze
        canvas.paint(canvas.below(ridge), shade)


def grass_texture(canvas: Canvas, rng: np.random.Generator, *, light: str, dark: str) -> np.ndarray:
    patches = fractal_noise(rng, (canvas.height, canvas.width), cells=10, octaves=6)
    t = patches[..., None]
    return rgb(dark) * (1 - t) + rgb(light) * t


def paint_hills(canvas: Canvas, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Paints the middle and front hills; returns their ridge lines."""
    x = canvas.x[0]
    middle = ridge_line(rng, canvas, base=350, height=18, octaves=4) - 22 * np.sin(x / 210 + 1.0)
    canvas.paint(canvas.below(middle), grass_texture(canvas, rng, light="9dbb5a", dark="4f7d34"))

    front = ridge_line(rng, canvas, base=438, height=14, octaves=4) + 16 * np.sin(x / 150 - 0.4)
    canvas.paint(canvas.below(front), grass_texture(canvas, rng, light="7fa83e", dark="2f5a22"))
    return middle, front


def paint_distant_trees(canvas: Canvas, rng: np.random.Generator, ridge: np.ndarray) -> None:
    mask = canvas.blank_mask()
    for x in rng.uniform(420, 760, 22):
        ground = ridge[min(px(x), canvas.width - 1)]
        size = rng.uniform(5, 11)
        cv2.ellipse(mask, (px(x), px(ground - size)), (px(size * 0.6), px(size * 1.3)), 0, 0, 360,
                    255, -1, cv2.LINE_AA)
    canvas.paint(mask, rgb("35552f"))


def paint_grass_blades(canvas: Canvas, rng: np.random.Generator, ridge: np.ndarray, *,
                       count: int, length: tuple[float, float]) -> None:
    """Thin strokes below a ridge: the fine, random detail that upscalers find hardest."""
    layer = canvas.image.copy()
    for _ in range(count):
        x = rng.uniform(0, WIDTH)
        top = ridge[min(px(x), canvas.width - 1)]
        y = rng.uniform(top + 2, HEIGHT + 4)
        near = (y - top) / (HEIGHT - top + 1)
        blade = rng.uniform(*length) * (0.5 + near)
        lean = rng.normal(0, 0.35)
        tone = rng.uniform(0.55, 1.25)
        color = np.clip(rgb("6f9a35") * tone + rng.normal(0, 0.04, 3), 0, 1)
        cv2.line(layer, (px(x), px(y)), (px(x + lean * blade), px(y - blade)),
                 tuple(map(float, color)), 1, cv2.LINE_AA)
    canvas.image = layer


def paint_path(canvas: Canvas, rng: np.random.Generator) -> None:
    outline = points((300, 410), (322, 410), (420, 520), (250, 520))
    gravel = fractal_noise(rng, (canvas.height, canvas.width), cells=90, octaves=3)
    color = rgb("b49a72") * (0.8 + 0.4 * gravel)[..., None]
    canvas.paint(canvas.polygon_mask(outline), color)


def paint_wall(canvas: Canvas, outline: np.ndarray, color: np.ndarray, *, board_lines: list) -> None:
    """A wall with horizontal siding: `board_lines` are ((x0, y0), (x1, y1)) seams in scene units."""
    canvas.paint(canvas.polygon_mask(outline), color)
    seams = canvas.blank_mask()
    for (x0, y0), (x1, y1) in board_lines:
        cv2.line(seams, (px(x0), px(y0)), (px(x1), px(y1)), 255, 1, cv2.LINE_AA)
    seams = cv2.bitwise_and(seams, canvas.polygon_mask(outline))
    canvas.paint(seams, color * 0.72)


def paint_window(canvas: Canvas, left: float, top: float, width: float, height: float) -> None:
    frame = canvas.blank_mask()
    cv2.rectangle(frame, (px(left - 3), px(top - 3)), (px(left + width + 3), px(top + height + 3)),
                  255, -1, cv2.LINE_AA)
    canvas.paint(frame, rgb("f4efe4"))

    glass = canvas.blank_mask()
    cv2.rectangle(glass, (px(left), px(top)), (px(left + width), px(top + height)), 255, -1)
    reflection = np.clip((canvas.x - left + (canvas.y - top)) / (width + height), 0, 1)[..., None]
    canvas.paint(glass, rgb("3a5a7a") * (1 - reflection) + rgb("c9d8e0") * reflection * 0.8)

    bars = canvas.blank_mask()
    for i in (1, 2):
        y = top + height * i / 3
        cv2.line(bars, (px(left), px(y)), (px(left + width), px(y)), 255, SUPERSAMPLE, cv2.LINE_AA)
    cv2.line(bars, (px(left + width / 2), px(top)), (px(left + width / 2), px(top + height)), 255,
             SUPERSAMPLE, cv2.LINE_AA)
    canvas.paint(bars, rgb("f4efe4"))
    sill = canvas.blank_mask()
    cv2.rectangle(sill, (px(left - 5), px(top + height + 2)),
                  (px(left + width + 5), px(top + height + 5)), 255, -1, cv2.LINE_AA)
    canvas.paint(sill, rgb("d8d0c0"))


def lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def paint_roof(canvas: Canvas, ridge: tuple, eave: tuple) -> None:
    """The side roof plane with rows of staggered tiles; ridge and eave are (front, back) points."""
    (ridge_front, ridge_back), (eave_front, eave_back) = ridge, eave
    outline = points(ridge_front, ridge_back, eave_back, eave_front)
    canvas.paint(canvas.polygon_mask(outline), rgb("8c3b2a"))

    lines = canvas.blank_mask()
    rows, columns = 16, 30
    for row in range(rows + 1):
        t = row / rows
        start, end = lerp(ridge_front, eave_front, t), lerp(ridge_back, eave_back, t)
        cv2.line(lines, (px(start[0]), px(start[1])), (px(end[0]), px(end[1])), 255, 1, cv2.LINE_AA)
        if row == rows:
            break
        following = (row + 1) / rows
        for column in range(columns):
            s = (column + 0.5 * (row % 2)) / columns
            a = lerp(lerp(ridge_front, ridge_back, s), lerp(eave_front, eave_back, s), t)
            b = lerp(lerp(ridge_front, ridge_back, s), lerp(eave_front, eave_back, s), following)
            cv2.line(lines, (px(a[0]), px(a[1])), (px(b[0]), px(b[1])), 255, 1, cv2.LINE_AA)
    lines = cv2.bitwise_and(lines, canvas.polygon_mask(outline))
    canvas.paint(lines, rgb("5a2218"))


def paint_house(canvas: Canvas) -> None:
    ground, wall_top, peak = 410, 330, (310, 268)
    # Side wall in shade (the sun is to the right), receding to the left.
    side = points((152, 337), (250, wall_top), (250, ground), (152, ground - 3))
    side_seams = [((152, 337 + k), (250, wall_top + k)) for k in range(4, 80, 4)]
    paint_wall(canvas, side, rgb("b9ad98"), board_lines=side_seams)
    paint_window(canvas, 172, 352, 24, 30)
    paint_window(canvas, 212, 350, 24, 30)

    # Chimney behind the ridge.
    chimney = points((222, 252), (240, 251), (240, 292), (222, 293))
    canvas.paint(canvas.polygon_mask(chimney), rgb("8a4c3c"))
    bricks = canvas.blank_mask()
    for k, y in enumerate(range(254, 292, 4)):
        cv2.line(bricks, (px(222), px(y)), (px(240), px(y)), 255, 1, cv2.LINE_AA)
        for x in np.arange(222 + 3 * (k % 2), 240, 6):
            cv2.line(bricks, (px(x), px(y)), (px(x), px(y + 4)), 255, 1, cv2.LINE_AA)
    canvas.paint(cv2.bitwise_and(bricks, canvas.polygon_mask(chimney)), rgb("d8c8b8") * 0.8)

    paint_roof(canvas, ridge=(peak, (214, 274)), eave=((244, 334), (142, 341)))

    # Sunlit front gable.
    front = points((250, ground), (250, wall_top), peak, (370, wall_top), (370, ground))
    front_seams = [((250, y), (370, y)) for y in range(274, ground, 4)]
    paint_wall(canvas, front, rgb("f1e4c6"), board_lines=front_seams)
    trim = canvas.blank_mask()
    cv2.polylines(trim, [points((242, 336), peak, (378, 336))], False, 255, px(3.5), cv2.LINE_AA)
    canvas.paint(trim, rgb("f8f5ee"))

    paint_window(canvas, 258, 346, 28, 34)
    paint_window(canvas, 334, 346, 28, 34)
    disc(canvas, (peak[0], 304), 10, rgb("f8f5ee"))  # round attic window: frame, then glass
    disc(canvas, (peak[0], 304), 7.5, rgb("415f7a"))

    door = canvas.blank_mask()
    cv2.rectangle(door, (px(298), px(364)), (px(322), px(ground)), 255, -1, cv2.LINE_AA)
    canvas.paint(door, rgb("2f4d6b"))
    panels = canvas.blank_mask()
    for y0, y1 in ((368, 384), (388, 406)):
        cv2.rectangle(panels, (px(301), px(y0)), (px(319), px(y1)), 255, 1, cv2.LINE_AA)
    cv2.circle(panels, (px(317), px(389)), px(1.4), 255, -1, cv2.LINE_AA)
    canvas.paint(panels, rgb("d9b45a"))

    lettering(canvas, "No. 42", (296, 359), height=5, color=rgb("3a2a1e"))


def disc(canvas: Canvas, center: tuple[float, float], radius: float, color: np.ndarray) -> None:
    mask = canvas.blank_mask()
    cv2.circle(mask, (px(center[0]), px(center[1])), px(radius), 255, -1, cv2.LINE_AA)
    canvas.paint(mask, color)


def lettering(canvas: Canvas, text: str, origin: tuple[float, float], *, height: float,
              color: np.ndarray, bold: bool = False) -> None:
    """Text whose capitals are `height` scene pixels tall, baseline at `origin`."""
    font = cv2.FONT_HERSHEY_DUPLEX
    scale = px(height) / cv2.getTextSize("H", font, 1.0, 1)[0][1]
    thickness = max(1, round(scale * (2.2 if bold else 1.4)))
    mask = canvas.blank_mask()
    cv2.putText(mask, text, (px(origin[0]), px(origin[1])), font, scale, 255, thickness, cv2.LINE_AA)
    canvas.paint(mask, color)


def paint_tree(canvas: Canvas, rng: np.random.Generator, x: float, ground: float, size: float) -> None:
    trunk = points((x - size * 0.07, ground), (x - size * 0.04, ground - size * 1.1),
                   (x + size * 0.04, ground - size * 1.1), (x + size * 0.08, ground))
    bark = fractal_noise(rng, (canvas.height, canvas.width), cells=60, octaves=3)
    canvas.paint(canvas.polygon_mask(trunk), rgb("5b4330") * (0.75 + 0.4 * bark)[..., None])

    crown = canvas.blank_mask()
    center = (x, ground - size * 1.45)
    for _ in range(14):
        dx, dy = rng.normal(0, size * 0.28), rng.normal(0, size * 0.22)
        radius = rng.uniform(0.3, 0.45) * size
        cv2.circle(crown, (px(center[0] + dx), px(center[1] + dy)), px(radius), 255, -1, cv2.LINE_AA)
    leaves = fractal_noise(rng, (canvas.height, canvas.width), cells=70, octaves=3)
    toward_sun = np.clip((canvas.x - center[0] - (canvas.y - center[1])) / (2.2 * size) + 0.5, 0, 1)
    light = (0.35 + 0.5 * toward_sun + 0.45 * leaves)[..., None]
    shadow = rgb("202a10") * (1 - leaves[..., None]) * 0.2
    canvas.paint(crown, np.clip(rgb("3e6b2c") * light + shadow, 0, 1))


def paint_fence(canvas: Canvas, left: float, right: float, ground: float) -> None:
    mask = canvas.blank_mask()
    for x in np.arange(left, right, 7):
        pale = points((x, ground), (x, ground - 20), (x + 2, ground - 23), (x + 4, ground - 20),
                      (x + 4, ground))
        cv2.fillPoly(mask, [pale], 255, lineType=cv2.LINE_AA)
    for y in (ground - 16, ground - 6):
        cv2.rectangle(mask, (px(left - 2), px(y)), (px(right), px(y + 2.5)), 255, -1, cv2.LINE_AA)
    canvas.paint(mask, rgb("f2efe8"))


def paint_flowers(canvas: Canvas, rng: np.random.Generator, ridge: np.ndarray, count: int) -> None:
    colors = [tuple(map(float, rgb(code))) for code in FLOWER_COLORS]
    for _ in range(count):
        x = rng.uniform(0, WIDTH)
        top = ridge[min(px(x), canvas.width - 1)]
        y = rng.uniform(top + 6, HEIGHT)
        color = colors[rng.integers(len(colors))]
        cv2.circle(canvas.image, (px(x), px(y)), px(rng.uniform(0.8, 1.8)), color, -1, cv2.LINE_AA)


def paint_signpost(canvas: Canvas, rng: np.random.Generator) -> None:
    left, top, right, bottom = 520, 398, 700, 452
    posts = points((548, 500), (548, bottom), (555, bottom), (555, 500))
    canvas.paint(canvas.polygon_mask(posts), rgb("4c3624"))
    posts = points((666, 500), (666, bottom), (673, bottom), (673, 500))
    canvas.paint(canvas.polygon_mask(posts), rgb("4c3624"))

    board = points((left, top), (right, top), (right, bottom), (left, bottom))
    grain = fractal_noise(rng, (canvas.height, canvas.width), cells=8, octaves=5)
    wood = rgb("c49a64") * (0.9 + 0.1 * np.sin(canvas.y * 0.8 + grain * 12))[..., None]
    canvas.paint(canvas.polygon_mask(board), wood)
    edge = canvas.blank_mask()
    cv2.polylines(edge, [board], True, 255, px(2), cv2.LINE_AA)
    canvas.paint(edge, rgb("5d4128"))

    ink = rgb("2a1c10")
    lettering(canvas, "ENHANCER", (536, 424), height=15, color=ink, bold=True)
    lettering(canvas, "a painted sample photo", (536, 437), height=6, color=ink)
    lettering(canvas, "fine print: can you still read this at 4x?", (536, 446), height=3.6, color=ink)


def paint_vignette(canvas: Canvas) -> None:
    dx = (canvas.x - WIDTH / 2) / (WIDTH / 2)
    dy = (canvas.y - HEIGHT / 2) / (HEIGHT / 2)
    canvas.image *= (1 - 0.18 * np.clip(dx**2 + dy**2 - 0.3, 0, 1))[..., None]


def paint_scene() -> np.ndarray:
    """The whole sample photo as an H x W x 3 uint8 RGB array."""
    rng = np.random.default_rng(SEED)
    canvas = Canvas()
    paint_sky(canvas, rng, sun=(600, 150))
    paint_mountains(canvas, rng)
    middle, front = paint_hills(canvas, rng)
    paint_distant_trees(canvas, rng, middle)
    paint_grass_blades(canvas, rng, middle, count=2500, length=(1.5, 4))
    paint_path(canvas, rng)
    paint_tree(canvas, rng, 440, 372, 42)
    paint_house(canvas)
    paint_fence(canvas, 372, 470, 416)
    paint_tree(canvas, rng, 80, 470, 90)
    paint_grass_blades(canvas, rng, front, count=5000, length=(3, 8))
    paint_flowers(canvas, rng, front, count=160)
    paint_signpost(canvas, rng)
    paint_vignette(canvas)
    return canvas.to_uint8()


def main() -> None:
    image = paint_scene()
    cv2.imwrite(str(OUTPUT), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
