"""The service as users and operators run it: HTTP, the CLI, worker processes, the installed package."""
