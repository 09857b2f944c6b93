"""Provides a command group whose own options also work where a person types them: after
the subcommand (`crm server init --database-url …`, `crm list customers --db x.db`).

Before parsing, such options (with their values) move in front of the subcommand, unless
the subcommand has an option of the same name (then it is the subcommand's)."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup


def _options(command: Any) -> dict[str, bool]:
    """Option strings of a command -> whether each takes a value."""
    found: dict[str, bool] = {}
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":  # typer vendors its own click
            takes = not (param.is_flag or param.count)
            for opt in (*param.opts, *param.secondary_opts):
                found[opt] = takes
    return found


def _sub_options(ctx: Any, command: Any) -> set[str]:
    if command is None:
        return set()
    names = set(_options(command))
    if hasattr(command, "commands"):  # a group: its commands' options are its own too
        for sub in command.commands.values():
            names |= set(_options(sub))
    return names


def hoisted(group: Any, ctx: Any, args: list[str]) -> list[str]:
    """`args` with the group's options found after its subcommand moved before it."""
    own = _options(group)
    i = 0
    while i < len(args):  # find the subcommand: the first word that is not an option
        arg = args[i]
        if arg == "--" or not arg.startswith("-"):
            break
        name = arg.split("=", 1)[0]
        i += 2 if own.get(name) and "=" not in arg else 1
    if i >= len(args) or args[i] == "--":
        return args
    taken = _sub_options(ctx, group.get_command(ctx, args[i]))
    before, after = list(args[:i]), [args[i]]
    rest = args[i + 1 :]
    j = 0
    while j < len(rest):
        arg = rest[j]
        if arg == "--":
            after.extend(rest[j:])
            break
        name = arg.split("=", 1)[0]
        if name in own and name not in taken:
            width = 2 if own[name] and "=" not in arg and j + 1 < len(rest) else 1
            before.extend(rest[j : j + width])
            j += width
            continue
        after.append(arg)
        j += 1
    return before + after


class HoistGroup(TyperGroup):
    """A Typer group whose options may also follow its subcommand; an unknown option of a
    subcommand gets the app's own `error:` line with "did you mean"."""

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        return super().parse_args(ctx, hoisted(self, ctx, args))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            names = {cls.__name__ for cls in type(exc).__mro__}  # typer vendors click
            if "NoSuchOption" in names:
                _unknown_option(exc)
            if "UsageError" in names:  # a missing argument, a bad value: the same one line
                _usage_error(exc)
            raise


def _unknown_option(exc: Any) -> None:
    import typer

    name = getattr(exc, "option_name", "") or ""
    near = sorted(getattr(exc, "possibilities", None) or [])
    from difflib import get_close_matches

    best = get_close_matches(name, near, n=1, cutoff=0.5) or near[:1]
    hint = f"; did you mean {best[0]}?" if best else ""
    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "crm"
    typer.echo(f"error: {where} has no option {name}{hint} (see {where} --help)", err=True)
    raise typer.Exit(2)


def _usage_error(exc: Any) -> None:
    import typer

    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "crm"
    message = exc.format_message().replace("\n", " ")
    typer.echo(f"error: {where}: {message} (see {where} --help)", err=True)
    raise typer.Exit(2)
