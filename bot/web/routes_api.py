"""The versioned REST API ``/v1/...`` (product-level and customer-level data, behind API keys)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
