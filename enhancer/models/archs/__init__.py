"""Every architecture module, imported explicitly so that bundlers and the registry see them all.

Adding an architecture: write `archs/<id>.py` with a module-level `SPECS` tuple and list the
module here.
"""

from enhancer.models.archs import (
    espcn,
    interpolation,
    perceptual,
    pixelrsr,
    raisr,
    srcnn,
    srgan,
    srntt,
    srresnet,
    vdsr,
)

MODULES = (interpolation, srcnn, espcn, vdsr, srresnet, srgan, perceptual, raisr, srntt, pixelrsr)
