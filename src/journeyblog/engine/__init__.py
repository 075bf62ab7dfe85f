"""What runs the pipeline's stages again as little as it can: the dev server's site kept in
memory (live.py) and the recording of what a page's rendering reads (reads.py)."""
