"""`python -m mockswitch.healthcheck`, the name the container and users' CI services run."""

import sys

from mockswitch.cli.healthcheck import main

if __name__ == "__main__":
    sys.exit(main())
