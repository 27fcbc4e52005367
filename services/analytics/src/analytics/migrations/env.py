from analytics.models import Base
from soundstream_common.db import run_alembic_env

run_alembic_env(Base.metadata)
