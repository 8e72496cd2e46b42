"""`python -m ledger` runs the same CLI as the `ledger` executable."""

from commands.cli import main

if __name__ == "__main__":
    main()
