"""The publishing recipes `journeyblog init --ci KIND` writes into a new site."""

from __future__ import annotations

# What `init --ci KIND` writes: the workflow docs/publishing.md shows, path and text.
CI_FILES: dict[str, tuple[str, str]] = {
    "github": (
        ".github/workflows/publish.yml",
        """\
name: Publish
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - uses: actions/cache@v4
        with:
          path: .journeyblog-cache
          key: journeyblog-${{ github.sha }}
          restore-keys: journeyblog-
      - run: python -m pip install journeyblog
      - run: journeyblog build . --audience public
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
""",
    ),
    "gitlab": (
        ".gitlab-ci.yml",
        """\
pages:
  image: python:3.12-slim
  cache:
    key: journeyblog
    paths:
      - .journeyblog-cache/
  script:
    - python -m pip install journeyblog
    - journeyblog build . --audience public -o public
  artifacts:
    paths:
      - public
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
""",
    ),
}
