import pytest
from torch import nn

from enhancer.models.spec import ArchSpec


def spec(**overrides):
    fields = dict(id="probe", name="Probe", paper="test", kind="cnn", scales=(2,), network=nn.Identity)
    return ArchSpec(**(fields | overrides))


def test_max_size_below_min_size_is_refused():
    with pytest.raises(ValueError, match="max_size is below min_size"):
        spec(min_size=16, max_size=8)


def test_max_size_equal_to_min_size_is_accepted():
    assert spec(min_size=16, max_size=16).max_size == 16


def test_memory_per_pixel_reads_the_figure_for_the_scale():
    assert spec(scales=(2, 4), bytes_per_pixel={2: 100, 4: 400}).memory_per_pixel(4) == 400
    assert spec(bytes_per_pixel=123).memory_per_pixel(2) == 123
