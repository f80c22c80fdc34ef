"""Parser for the simple KEY=VALUE environment files."""


def parse_env(text: str) -> dict[str, str]:
    """Variables of an .env file; blank lines and # comments are skipped."""
    variables: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"line {number}: expected KEY=VALUE")
        variables[key.strip()] = value.strip().strip('"')
    return variables
