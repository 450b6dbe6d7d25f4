"""The Safety Assessor's side: qualification now, the review and signing flow beside it."""
