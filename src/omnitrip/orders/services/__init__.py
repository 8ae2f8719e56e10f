"""Order services, split by use case: checkout, lifecycle (cancel/expire/complete), payments."""
