"""The supply-chain API: the network, the scenarios, and the keep-running ranking."""

from ninja import Router

from keepline.chains.api.keep import router as keep_router
from keepline.chains.api.network import router as network_router
from keepline.chains.api.scenarios import router as scenarios_router

router = Router()
router.add_router("/", network_router)
router.add_router("/", scenarios_router)
router.add_router("/", keep_router)
