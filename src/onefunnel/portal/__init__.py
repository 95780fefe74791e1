"""The local HubSpot-compatible portal: a synthetic B2B account on disk and an API server over it."""
