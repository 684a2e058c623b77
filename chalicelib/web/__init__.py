"""Pages: the grid manager's work page (/m/) and the ops console (/ops/), served by the same
app as plain HTML + JS + CSS clients of /v1/ (no build step, no CDN)."""
