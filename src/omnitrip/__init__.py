"""omnitrip: open-source omnichannel travel-commerce platform."""

__version__ = "0.1.0"
