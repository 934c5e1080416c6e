"""The demo district: real outline, names and codes of Dadong; synthetic detail."""

from onegrid.demo.build import DEMO_DISTRICT, build_demo

__all__ = ["DEMO_DISTRICT", "build_demo"]
