#!/usr/bin/env python
"""Django's command-line utility; the same as `python -m verkstall`."""

from verkstall.__main__ import main

if __name__ == "__main__":
    main()
