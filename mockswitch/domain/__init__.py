"""What a switch is made of, as plain records: no I/O, no framework."""
