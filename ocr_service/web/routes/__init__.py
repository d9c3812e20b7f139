"""The desk's pages: sign-in/out, the review queue and case view, uploads, the dashboard."""
