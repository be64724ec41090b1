# estate: the API, the scheduler and the `estate` command in one slim image.
#   docker build -t estate .
#   docker run --rm -p 8000:8000 -e ESTATE_DATABASE_URL=postgresql://... estate
# The default command serves the API with the scheduler in-process (one machine);
# docker-compose.yml runs them as separate services instead.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY estate ./estate
COPY scanners ./scanners
COPY api ./api
RUN pip install . && rm -rf /src/build

# Never root: the service needs no privilege and owns nothing in the image.
RUN useradd --system --uid 10001 --create-home --home-dir /home/estate estate
USER estate
WORKDIR /home/estate

EXPOSE 8000
ENTRYPOINT ["estate"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
