"""Country returns, replies, forwarding and answers."""
