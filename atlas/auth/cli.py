"""``atlas user ...``: manage the staff accounts in the users file.

- ``atlas user add NAME --role editor|admin`` asks for the password twice
  (``--password-stdin`` reads one line from standard input, for scripts);
- ``atlas user token NAME`` creates an API token and prints it once (only its hash is kept);
- ``atlas user list`` shows names, roles and token counts;
- ``atlas user remove NAME`` removes a user with their tokens (their sessions end too).

``--users-file`` overrides ``ATLAS_USERS_FILE`` (default ``var/users.json``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from atlas.auth.users import ROLES, UserError, UserStore, check_password
from atlas.config import Settings


def add_user_commands(sub) -> None:
    """Add ``user`` and its subcommands to the ``atlas`` parser's subparsers."""
    user = sub.add_parser("user", help="manage the staff who may edit (users file)")
    user.add_argument("--users-file", type=Path, help="the users file "
                      "(default: ATLAS_USERS_FILE or var/users.json)")
    actions = user.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="add a user (asks for the password twice)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True, help="editor: edits the data; "
                     "admin: also what is reserved to admins")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    token = actions.add_parser("token", help="create an API token and print it (once)")
    token.add_argument("name")
    actions.add_parser("list", help="list the users, their roles and token counts")
    remove = actions.add_parser("remove", help="remove a user and their tokens")
    remove.add_argument("name")


def read_password(from_stdin: bool) -> str:
    """The new password: a line of stdin, or asked twice on the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UserError("the two passwords differ")
    return first


def run_user_command(args: argparse.Namespace) -> int:
    """Run ``atlas user ...``; returns the exit code (1 with a message on stderr if refused)."""
    path = args.users_file or Settings().users_file
    store = UserStore(path)
    try:
        if args.user_command == "add":
            password = read_password(args.password_stdin)
            check_password(password)
            user = store.add(args.name, args.role, password)
            print(f"Added {user.role} {user.name} to {path}")
        elif args.user_command == "token":
            token = store.issue_token(args.name)
            print(token)
            print(f"API token for {args.name}: shown only now, store it safely. Send it as the "
                  "header 'Authorization: Bearer <token>'.", file=sys.stderr)
        elif args.user_command == "list":
            users = store.users()
            if not users:
                print(f"No users in {path} (add one with `atlas user add NAME --role editor`)")
            for user in users:
                print(f"{user.name}\t{user.role}\t{store.token_count(user.name)} token(s)")
        elif args.user_command == "remove":
            store.remove(args.name)
            print(f"Removed {args.name} from {path}")
    except UserError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    return 0
