"""The `parity-audit` command, also run as `python -m auditor`."""

from auditor import parser_host


def main() -> None:
    parser_host.start()
    # Imported after the fork: the parser host imports the parsers while this process imports the CLI.
    from auditor.cli import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
