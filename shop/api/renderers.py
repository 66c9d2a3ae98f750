from ninja.renderers import BaseRenderer

from shop.core import json


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return json.dumps(data)
