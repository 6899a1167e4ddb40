"""The service's routes, one router per resource group, each mounted under ``/v1`` by the app."""
