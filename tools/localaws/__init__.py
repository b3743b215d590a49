"""A local AWS for protonkit.accounts: moto server plus an AWS Proton backend, on one loopback endpoint.

Test and demo infrastructure: not shipped in the collection tarball. See README.md beside this file.
"""
