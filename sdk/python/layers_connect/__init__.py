"""Layers Connect for Python: connect end-customers' TikTok and Instagram accounts.

    from layers_connect import Layers

    layers = Layers(api_key="lp_test_...", base_url="http://localhost:3000")
    result = layers.social.create_oauth_url(
        project_id="prj_...", platform="tiktok", return_url="https://app.example.com/connect/return",
    )
    # send result["authorizeUrl"] to the end-customer's browser

Standard library only; Python 3.9+.
"""

from __future__ import annotations

from . import webhooks
from ._http import __version__
from .client import Accounts, Layers, Social, WebhookEndpoints
from .errors import NETWORK_ERROR, TIMEOUT, LayersError, WebhookVerificationError

__all__ = [
    "Layers",
    "LayersError",
    "WebhookVerificationError",
    "webhooks",
    "Social",
    "Accounts",
    "WebhookEndpoints",
    "NETWORK_ERROR",
    "TIMEOUT",
    "__version__",
]
