"""gnapp: offline management of the National Target Programme for Sustainable Poverty
Reduction (MTQG giảm nghèo bền vững) for communes and their higher-level office."""

__version__ = "0.1.0"
