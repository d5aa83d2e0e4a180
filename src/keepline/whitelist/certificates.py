"""The certificate's QR code: it carries the address of the listing's public check page."""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from keepline.whitelist.models import WhitelistListing


def check_url(request: HttpRequest, listing: WhitelistListing) -> str:
    """The absolute address of the public page that says whether the listing is in force: on
    KEEPLINE_PUBLIC_URL when set, so a printed certificate does not depend on which host name
    the official happened to use, else on the address of this request."""
    path = reverse("whitelist:check", args=[listing.token])
    if settings.KEEPLINE_PUBLIC_URL:
        return settings.KEEPLINE_PUBLIC_URL.rstrip("/") + path
    return request.build_absolute_uri(path)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`. A full-size code (never Micro QR, which phone cameras do
    not read) with medium error correction, so a creased or stamped print still scans."""
    return str(segno.make_qr(url, error="m").svg_inline(scale=4, border=2, title=url))
