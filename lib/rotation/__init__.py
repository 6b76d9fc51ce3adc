"""Helper library for the Great Rotation research notebooks.

Modules
-------
data           all file I/O: the verified local store, loaders, coverage, fetch
params         notebook parameter parsing and validation
results        recording headline figures in an executed notebook and reading them back
timeseries     small date-correct helpers shared by the topic modules
plotting       the one seaborn theme, recession/episode shading, source lines
runner, cli    `rotation run` and friends
"""

__version__ = "0.1.0"
