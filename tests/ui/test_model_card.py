from enhancer.models.catalog import CatalogEntry
from enhancer.ui.model_panel import card_html


def entry(kind):
    return CatalogEntry(id="m", name="M", arch="srresnet", kind=kind, paper="p", scales=(4,),
                        parameters=1_500_000)


def test_the_card_warns_that_a_perceptual_model_trades_psnr_for_sharpness():
    assert "sharper texture, lower PSNR" in card_html(entry("gan"))
    assert "sharper texture, lower PSNR" in card_html(entry("perceptual"))
    assert "lower PSNR" not in card_html(entry("cnn"))
