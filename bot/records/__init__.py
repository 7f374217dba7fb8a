"""What Sauti keeps and how it is read back: campaigns as stored, counters, the export of
answers. Stores and queries over Redis that the pipeline, the loop and the command line share.
"""
