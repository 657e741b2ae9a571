"""``make bench``: measure the pages of a large department (seed_scale data) in-process, against
the floor (one hand-written query) and against guardian's generic path. See
docs/performance.md."""
