"""The province's HTTP service: FastAPI app, authentication, problem+json errors, idempotency and routes."""
