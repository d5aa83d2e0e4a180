"""The power API: one router for the app, made of one router per part."""

from ninja import Router

from keepline.power.api.alerts import router as alerts_router
from keepline.power.api.imports import router as imports_router
from keepline.power.api.metrics import router as metrics_router

router = Router(tags=["power"])
router.add_router("/", imports_router)
router.add_router("/", metrics_router)
router.add_router("/", alerts_router)
