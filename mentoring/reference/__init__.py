"""Reference data every domain shares: the municipality's districts, topics and child age groups.

Districts and topics are data (files per municipality, loaded by `flask seed-demo` or
`flask reference load`), not code, so another municipality runs the same platform.
"""
