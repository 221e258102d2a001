"""The Enswitch wire protocol: request parsing, parameter tables, the envelope. No I/O."""
