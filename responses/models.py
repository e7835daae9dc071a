"""Who answers what: authorities, country returns, assignments, invitations, answers."""
