"""The engine: what runs the pipeline's stages (journeyblog.build) again as little as it can.

incremental.py runs `build` with the cache and the workers, taking over from the last output
every file whose key is unchanged (a page's worked out from what its rendering read, as
journeyblog.reads recorded it); stamps.py says when nothing changed at all; live.py keeps
the dev server's site in memory between saves. cache.py, parallel.py and write.py are what
they share. Nothing is imported here: `journeyblog build` checks whether anything changed
(stamps.py) without loading the pipeline.
"""
