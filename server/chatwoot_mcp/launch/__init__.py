"""What runs before serving: the token check, the embedded sandbox, the collector paused while the SDK is
imported; and the scripted demo."""
