"""Pages of the providers app, one module per area; each module lists its own `urlpatterns`.

Thin: a selector to find, a service to act, a template to render.
"""
