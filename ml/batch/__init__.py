"""Nightly batch: forecasts and order proposals for every store x product, locally or on Spark."""
