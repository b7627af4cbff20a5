"""Investor organisations: mandates, public profiles and the colleagues invited to manage them."""
