"""punchout"""
