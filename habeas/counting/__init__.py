"""Counting the uncounted: lists of named people from sources, their linkage into people, the clerical review of
uncertain pairs, and estimates of how many people no list recorded (the statistics are in ``habeas.stats``)."""
