"""Render a config template: ${NAME} placeholders from the environment.

Used by bin/setup so that secrets and absolute paths go into var/ only.
A placeholder without a value is an error, never an empty setting.
"""
import os
import string
import sys


def main(template_path: str, target_path: str) -> None:
    with open(template_path, encoding="utf-8") as f:
        template = string.Template(f.read())
    try:
        text = template.substitute(os.environ)
    except KeyError as e:
        sys.exit(f"{template_path}: no value for placeholder {e}")
    tmp = target_path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    changed = not os.path.exists(target_path) or open(target_path, encoding="utf-8").read() != text
    os.replace(tmp, target_path)
    print(f"    {target_path}: {'written' if changed else 'unchanged'}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
