"""The toolkit inside other tools: the pytest plugin, assert_conforms and the SDK capture hook."""
