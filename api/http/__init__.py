"""The province's HTTP service: the FastAPI app, its dependencies, authentication, problem+json errors, idempotency,
the routes (one module per resource group) and the models (the bodies commands take and the answers they give)."""
