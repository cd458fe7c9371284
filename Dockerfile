# chatwoot-mcp as a container: streamable HTTP on port 8000, as a non-root user.
#   docker build -t chatwoot-mcp .
#   docker run -p 127.0.0.1:8000:8000 -e CHATWOOT_BASE_URL=... -e CHATWOOT_ACCOUNT_ID=1 \
#       -e CHATWOOT_MCP_AUTH=chatwoot-token -e CHATWOOT_MCP_STATE_KEY=... chatwoot-mcp
# Several workers in one container: override the entrypoint with uvicorn (see deploy/compose.yaml).

FROM python:3.12-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv
WORKDIR /src
# Dependencies first, so that a change to the sources does not reinstall them.
COPY pyproject.toml uv.lock README.md LICENSE ./
RUN uv sync --frozen --no-dev --no-install-project
COPY client ./client
COPY server ./server
COPY tool_schemas ./tool_schemas
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.12-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin chatwoot
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 CHATWOOT_MCP_HOST=0.0.0.0
USER chatwoot
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
ENTRYPOINT ["chatwoot-mcp"]
CMD ["serve", "--transport", "streamable-http", "--host", "0.0.0.0", "--port", "8000", "--stateless"]
