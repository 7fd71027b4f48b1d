"""Deployment: the nginx site in front of gunicorn (nginx.py), the systemd unit, and the
production stack on loopback (stack.py). deploy/README.md says how a hospital uses them."""
