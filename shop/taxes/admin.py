from django.contrib import admin

from shop.monitoring.audit import Action, audit_record
from shop.staff.access import actor_from_request

from .models import TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ("country", "region", "rate", "kind", "name", "updated_at")
    list_filter = ("kind",)
    search_fields = ("country", "region")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=actor_from_request(request, via="admin"), action=Action.TAX_RATE_CHANGE,
            object_type="tax_rate", object_id=obj.pk,
            details={"country": obj.country, "region": obj.region, "to": str(obj.rate),
                     "kind": obj.kind, "changed": sorted(form.changed_data)},
        )
