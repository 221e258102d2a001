import sys

from mockswitch.cli import main

sys.exit(main())
