"""E-mail: the outbox and its delivery, the tasks that send, queueing, daily reminders."""
