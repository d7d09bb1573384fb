"""Stage 5, publishing: tells search engines what changed, after a deploy.

``changes`` compares the build's manifest with the state of the last publish and records
what was accepted; ``indexnow`` sends the changed URLs to IndexNow. Only this stage touches
the network.
"""
