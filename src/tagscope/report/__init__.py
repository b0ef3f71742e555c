"""The publishable report: one self-contained HTML file drawn from the analytics' Figures."""

from .build import Report, build_report

__all__ = ["Report", "build_report"]
