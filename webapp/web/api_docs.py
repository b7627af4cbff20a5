"""The interactive API reference (/api/docs → /api/swagger) without inline script.

flask-openapi3-swagger's own page runs an inline <script>, which our CSP blocks; this page loads
the same Swagger UI bundle from the package and starts it from our static swagger-init.js.
"""

from __future__ import annotations

from flask import Flask

SWAGGER_PAGE = """<!doctype html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>venturematch API reference</title>
  <link rel="icon" href="{{ url_for('static', filename='favicon.svg') }}" type="image/svg+xml">
  <link rel="stylesheet" href="swagger/css/swagger-ui.css">
  <link rel="stylesheet" href="{{ url_for('static', filename='css/swagger-page.css') }}">
</head>
<body>
  <main id="swagger-ui" data-openapi-url="{{ doc_url }}"></main>
  <script src="swagger/js/swagger-ui-bundle.js"></script>
  <script src="swagger/js/swagger-ui-standalone-preset.js"></script>
  <script src="{{ url_for('static', filename='js/swagger-init.js') }}"></script>
</body>
</html>
"""


def init_app(app: Flask) -> None:
    """Serve our CSP-clean Swagger page in place of the plugin's default."""
    app.config.setdefault("SWAGGER_HTML_STRING", SWAGGER_PAGE)
