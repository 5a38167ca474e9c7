"""A CJK web font cut down to the characters a page uses, as inline CSS.

Browsers on machines without Chinese fonts draw boxes for 日派件量; the report and the app inline
the Noto Sans CJK SC glyphs they need (a few dozen kilobytes) under the family name ``ParcelsimCJK``.
"""

from __future__ import annotations

import base64
import tempfile

__all__ = ["FAMILY", "cjk_font_face"]

FAMILY = "ParcelsimCJK"


def cjk_font_face(text: str) -> str:
    """An ``@font-face`` rule holding the CJK characters of ``text`` (empty if it has none)."""
    from fontTools import subset

    from .plots import cjk_font_path

    cjk = "".join(sorted({c for c in text if ord(c) > 0x2E7F}))
    if not cjk:
        return ""
    options = subset.Options()
    options.flavor = None
    options.desubroutinize = True
    font = subset.load_font(cjk_font_path(), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=cjk)
    subsetter.subset(font)
    with tempfile.TemporaryFile() as buffer:
        subset.save_font(font, buffer, options)
        buffer.seek(0)
        encoded = base64.b64encode(buffer.read()).decode("ascii")
    return f'@font-face{{font-family:"{FAMILY}";src:url(data:font/otf;base64,{encoded}) format("opentype");}}'
