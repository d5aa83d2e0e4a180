"""(being written)"""
from django.http import HttpRequest, HttpResponse


def alert_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
