"""The demo district: real outline, names and codes of Dadong; synthetic detail and reports."""

from onegrid.demo.build import DEMO_DISTRICT, build_demo
from onegrid.demo.reports import Place, Register, Topic, describe

__all__ = ["DEMO_DISTRICT", "Place", "Register", "Topic", "build_demo", "describe"]
