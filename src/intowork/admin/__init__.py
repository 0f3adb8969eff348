"""Admin tools: platform figures, user, employer and job oversight, activation and deletion."""
