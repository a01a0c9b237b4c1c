JobID = str
"""Opaque identifier of a render job, e.g. "job_7Qm2x"."""
