"""`python -m pifai.cli`."""

from pifai.cli import app

app()
