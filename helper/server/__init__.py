"""The local websocket daemon (``a11y-helper serve``): protocol v1 in docs/protocol.md."""
