"""Mentor parents: vetting, explained suggestions, optimal batch matching, the relationship.

Views come with the rest of the mentoring issue; the rules here are complete and tested.
"""
