"""Facet values that no file spells: they say a value is missing or lies outside the archive's LA."""

# The region and metric of a proposal that states none and names no place, and the home
# region of an organization without a usable zip: a value of its own, so that every count
# and filter accounts for every document. Articles never get it.
NOT_STATED = "Not stated"
OUTSIDE_LA_COUNTY = "Outside LA County"  # an organization's home region when its zip is elsewhere
KINDS = ("proposal", "organization", "article")  # the kinds of document the archive holds
