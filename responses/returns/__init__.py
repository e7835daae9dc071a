"""A country return as a whole: the home page and the return's overview."""
