"""Clusters in the Django admin. The credential is write-only: a box to paste a new kubeconfig, never filled."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from clusters import kubeconfig as kc
from clusters import services
from clusters.models import Cluster


class SecretTextarea(forms.Textarea):
    """Never renders a value, not even the one just submitted when the form comes back with errors."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


class ClusterAdminForm(forms.ModelForm):
    new_kubeconfig = forms.CharField(
        label="New kubeconfig", required=False, strip=True,
        widget=SecretTextarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        help_text="Paste a kubeconfig (YAML or base64) to replace the stored credential. The stored one is "
                  "never shown. Its current context is used; the API server above overrides its address.",
    )

    class Meta:
        model = Cluster
        fields = ["name", "description", "api_server"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["api_server"].required = False
        self.fields["api_server"].help_text = "https://host[:port]; empty: taken from the kubeconfig"
        if self.instance.pk is None:
            self.fields["new_kubeconfig"].required = True

    def clean_api_server(self) -> str:
        value = self.cleaned_data.get("api_server") or ""
        if not value:
            return ""
        try:
            return kc.validate_server(value)
        except kc.CredentialError as exc:
            raise forms.ValidationError(exc.reason) from None

    def clean_new_kubeconfig(self) -> dict[str, Any] | None:
        text = self.cleaned_data.get("new_kubeconfig") or ""
        if not text:
            return None
        try:
            document = _yaml_or_none(text)
            if document is None:
                document = kc.parse_kubeconfig(text)
            return kc.reduce_kubeconfig(document)
        except kc.CredentialError as exc:
            raise forms.ValidationError(f"Kubeconfig {exc.reason}") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        config = data.get("new_kubeconfig")
        current = self.instance.api_server if self.instance.pk else ""
        moved = data.get("api_server") and current and not kc.same_origin(current, data["api_server"])
        if moved and not config and "new_kubeconfig" not in self.errors:
            self.add_error("api_server", "Changing the API server to another host, scheme or port needs a new "
                                         "kubeconfig below: stored credentials are never sent to a new address "
                                         "unasked.")
        if not data.get("api_server"):
            if self.instance.pk and self.instance.api_server:
                data["api_server"] = self.instance.api_server
            elif config:
                try:
                    data["api_server"] = kc.validate_server(kc.server_of(config) or "", "kubeConfig")
                except kc.CredentialError as exc:
                    self.add_error("api_server", f"Required: the kubeconfig's server {exc.reason}")
        return data


def _yaml_or_none(text: str) -> dict[str, Any] | None:
    import yaml

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return document if isinstance(document, dict) else None


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    form = ClusterAdminForm
    list_display = ("name", "api_server", "status", "version", "node_count", "last_contact_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("name", "api_server")
    readonly_fields = ("credential", "status", "version", "node_count", "last_contact_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "description", "api_server")}),
        ("Credential (write-only)", {"fields": ("credential", "new_kubeconfig")}),
        ("Last contact", {"fields": ("status", "version", "node_count", "last_contact_at")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="Stored credential")
    def credential(self, obj: Cluster) -> str:
        if not obj.pk or not obj.credential_ciphertext:
            return "none"
        return f"encrypted kubeconfig (fingerprint {obj.credential_fingerprint})"

    def save_model(self, request: HttpRequest, obj: Cluster, form: ClusterAdminForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            current = Cluster.objects.get(pk=obj.pk)
            saved = services.update_cluster(cluster=current, name=data["name"], description=data["description"],
                                            api_server=data["api_server"], kubeconfig=data.get("new_kubeconfig"))
        else:
            saved = services.create_cluster(name=data["name"], description=data["description"],
                                            api_server=data["api_server"], kubeconfig=data["new_kubeconfig"])
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Cluster) -> None:
        services.delete_cluster(cluster=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for cluster in queryset:
            services.delete_cluster(cluster=cluster)
