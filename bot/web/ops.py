"""Operators' routes: metrics, health (helper "ops" fills this module)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
