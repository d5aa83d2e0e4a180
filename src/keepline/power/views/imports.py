"""(being written)"""
from django.http import HttpRequest, HttpResponse


def imports(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
