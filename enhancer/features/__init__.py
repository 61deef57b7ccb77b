"""Frozen ImageNet feature networks with named layers, for perceptual losses and the perceptual
metric: EfficientNet-Lite0 (ships with the app) and VGG16/VGG19 (from the user's own weights)."""
