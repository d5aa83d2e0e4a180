"""The reports API: one router for the app, made of one router per part (the same services,
selectors and scopes as the pages)."""

from ninja import Router

from keepline.reports.api.deadlines import router as deadlines_router
from keepline.reports.api.figures import router as figures_router
from keepline.reports.api.missing import router as missing_router
from keepline.reports.api.reports import detail_router
from keepline.reports.api.reports import router as reports_router
from keepline.reports.api.targets import router as targets_router

router = Router(tags=["reports"])
router.add_router("/", reports_router)
router.add_router("/", missing_router)
router.add_router("/", deadlines_router)
# After the fixed paths under /reports/, which the id would otherwise swallow.
router.add_router("/", detail_router)
router.add_router("/", targets_router)
router.add_router("/", figures_router)
