"""A bare FastAPI application with one endpoint: the reference for the HTTP benchmarks.

Started exactly as the services start themselves (``uvicorn.run(app, host, port,
log_config=None)``, one worker): ``python -m benchmarks.hello_app PORT``.
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="hello")


@app.get("/hello")
async def hello() -> dict[str, str]:
    """The smallest useful JSON response."""
    return {"message": "hello"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None)
