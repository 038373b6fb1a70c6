"""Experiments and dashboard routes (helper "insights" fills this module)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
