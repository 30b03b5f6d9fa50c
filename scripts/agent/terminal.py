#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would, and answers its prompt.

    terminal.py [--answer TEXT] -- COMMAND [ARGUMENTS...]

Everything the command writes to the terminal is copied to standard output; when it writes "Enter a value:", the
answer (and a line break) is typed. Exits with the command's exit status. The tests of rig's confirmation prompt run
it (Tests/RigCompilerTests/SavedPlanTests.swift).
"""
import argparse
import os
import pty
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--answer", help="what to type at the prompt")
parser.add_argument("command", nargs=argparse.REMAINDER)
options = parser.parse_args()
command = options.command[1:] if options.command[:1] == ["--"] else options.command

pid, terminal = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

seen = b""
answered = False
while True:
    try:
        chunk = os.read(terminal, 4096)
    except OSError:  # the command closed the terminal: it is done
        break
    if not chunk:
        break
    seen += chunk
    sys.stdout.buffer.write(chunk)
    if not answered and b"Enter a value:" in seen:
        if options.answer is None:
            sys.stdout.buffer.write(b"\nterminal.py: the command asked, and no --answer was given\n")
            os.kill(pid, 9)
            break
        os.write(terminal, options.answer.encode() + b"\n")
        answered = True
sys.stdout.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
