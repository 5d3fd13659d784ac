"""A build as a whole (stage 11): the pipeline of ``nmdkg build`` (``pipeline``: tables -> graph ->
validation -> exports, describe tables, query store, manifest), the manifest that says whether a build folder
is current (``manifest``), the structures saved beside it (``cache``), and which graph a reading command uses
(``reuse``: the files given, the current build with its caches, or a graph built in memory). The command
line and the Python API both call it. It may import every stage below it.
"""
