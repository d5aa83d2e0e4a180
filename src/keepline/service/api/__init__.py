"""API of the service network: the same selectors, services and scopes as the pages; one router
for the app, made of one router per part."""

from ninja import Router

from keepline.service.api.coverage import router as coverage_router
from keepline.service.api.groups import router as groups_router
from keepline.service.api.mine import router as mine_router
from keepline.service.api.projects import router as projects_router
from keepline.service.api.visits import router as visits_router

router = Router()
router.add_router("/", coverage_router)
router.add_router("/", projects_router)
router.add_router("/", visits_router)
router.add_router("/", groups_router)
router.add_router("/", mine_router)
