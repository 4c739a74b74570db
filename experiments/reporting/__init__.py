"""How results are shown: labels in the domain's words, figures (PNG and SVG), sweep plots, the HTML report."""

__all__ = ["figures", "plots", "report"]
