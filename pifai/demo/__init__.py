"""`pifai demo`: the journey from a formula file to the signed PIF PDF, over HTTP."""
