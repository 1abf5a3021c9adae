#!/usr/bin/env python3
"""Trunk post-build hook: give the built page a strict Content-Security-Policy.

trunk inlines a small module script that loads the wasm, and stamps a build-time
nonce on it (a fixed nonce protects nothing). Replace nonces with the sha256 of each
inline script, and allow nothing but the page's own origin.
"""
import base64
import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()
html = re.sub(r'\snonce="[^"]*"', "", html)
hashes = []
for body in re.findall(r"<script(?:\s[^>]*)?>(.*?)</script>", html, flags=re.S):
    if body.strip():
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
policy = "; ".join([
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
])
meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', "", html)
# Right after the charset (quoted or, once trunk has minified the page, not); a page
# without it would silently lose its policy, so that fails the build.
html, found = re.subn(r'(<meta charset="?utf-8"?>)', lambda m: m.group(1) + meta, html, count=1)
if not found:
    sys.exit("csp.py: no <meta charset=utf-8> in index.html to put the policy after")
open(path, "w", encoding="utf-8").write(html)
