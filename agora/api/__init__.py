"""The Mastodon-compatible client API: a thin layer over the services and selectors of the other apps."""
