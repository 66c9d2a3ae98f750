from django.contrib import admin

from .models import Alert, AuditEvent, SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "user_id", "ip", "path", "request_id")
    list_filter = ("kind",)
    search_fields = ("request_id", "ip", "path")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only for everyone, admins included."""

    list_display = ("created_at", "action", "actor_email", "actor_role", "object_type",
                    "object_id", "customer_id", "ip", "via")
    list_filter = ("action", "actor_role", "via")
    search_fields = ("request_id", "actor_email", "object_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "rule", "severity", "subject", "event_count",
                    "acknowledged_at", "webhook_state")
    list_filter = ("rule", "severity", "webhook_state")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
