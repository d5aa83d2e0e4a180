from keepline.chains.urls_keep import urlpatterns as keep
from keepline.chains.urls_network import urlpatterns as network
from keepline.chains.urls_scenarios import urlpatterns as scenarios

app_name = "chains"
urlpatterns = [*network, *scenarios, *keep]
