"""Forwarding sections to authorities: the service, the wizard and its forms, views, URLs."""
