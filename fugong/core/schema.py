"""How the OpenAPI schema describes our API keys."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "fugong.core.api_keys.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "接口密钥：Authorization: Bearer fg_<前缀>_<密钥>，在“接口密钥”页面创建。",
        }
