"""The platform's pipeline beside public regional statistics: the staff's regional context and
the open observatory, both counted by the pipeline's own services."""
