"""The outbox: messages written with the change that caused them, delivered by `flask outbox send`."""
