"""SRGAN: Ledig et al., CVPR 2017. The SRResNet network (archs/srresnet.py), initialised from the
MSE-trained weights and trained on with a feature content loss plus 1e-3 adversarial loss against
SRGAN's discriminator (enhancer/train/discriminator.py). Same network, other weights and another
promise: sharper texture, lower PSNR; the kind "gan" tells the model picker so.
"""

from __future__ import annotations

from dataclasses import replace

from enhancer.models.archs.srresnet import SPECS as SRRESNET_SPECS

SPECS = (
    replace(SRRESNET_SPECS[0], id="srgan", name="SRGAN", kind="gan"),
)
