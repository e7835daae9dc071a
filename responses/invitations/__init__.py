"""Invitations: their links and tokens, issuing and redeeming them, the accept pages."""
