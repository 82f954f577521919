"""Render a config template: ${NAME} placeholders from the environment.

Used by bin/setup so that secrets and absolute paths go into var/ only.
A placeholder without a value is an error, never an empty setting.

    render_config.py TEMPLATE TARGET [--group GROUP] [--mode 640]

The target is root's (or the caller's); --group lets the service user read it.
It is written to a new file beside it and renamed over it, so a reader never
sees half a file and a link planted at either name is replaced, not followed.
"""
import argparse
import grp
import os
import string
import sys

from etl.files import write_atomic


def render(template_path: str, target_path: str, group: str | None = None, mode: int = 0o600) -> bool:
    with open(template_path, encoding="utf-8") as f:
        template = string.Template(f.read())
    try:
        text = template.substitute(os.environ)
    except KeyError as e:
        sys.exit(f"{template_path}: no value for placeholder {e}")
    gid = grp.getgrnam(group).gr_gid if group else -1
    changed = True
    try:
        st = os.stat(target_path, follow_symlinks=False)
        fd = os.open(target_path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, encoding="utf-8") as f:
            changed = (f.read() != text or st.st_mode & 0o7777 != mode
                       or (gid != -1 and st.st_gid != gid))
    except (FileNotFoundError, OSError):
        pass
    if not changed:
        return False
    write_atomic(target_path, text, mode=mode, group=gid)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template")
    parser.add_argument("target")
    parser.add_argument("--group", help="group that may read the target")
    parser.add_argument("--mode", default="600", help="octal mode of the target (default 600)")
    args = parser.parse_args()
    changed = render(args.template, args.target, args.group, int(args.mode, 8))
    print(f"    {args.target}: {'written' if changed else 'unchanged'}")


if __name__ == "__main__":
    main()
