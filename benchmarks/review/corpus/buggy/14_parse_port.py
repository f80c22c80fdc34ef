"""Command-line option parsing for the dev server."""

DEFAULT_PORT = 8000


def parse_port(text: str) -> int:
    """Parse a TCP port; raise ValueError unless it is a number in 1..65535."""
    try:
        port = int(text)
    except ValueError:
        pass
    if not 1 <= port <= 65535:
        raise ValueError(f"port out of range: {port}")
    return port


def port_from_args(args: list[str]) -> int:
    """The value after --port, or the default port."""
    if "--port" in args:
        return parse_port(args[args.index("--port") + 1])
    return DEFAULT_PORT
