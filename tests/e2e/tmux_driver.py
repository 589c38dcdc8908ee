"""Drives an interactive program as a person would: in a terminal (a private tmux server), keys
typed with send-keys, the screen read with capture-pane.

    with TmuxTerminal(["build/clickstream", "sql"], env={...}, cwd=ROOT) as term:
        term.wait_for(r"sql> ")
        term.type_line("SELECT 42 AS answer;")
        term.wait_for(r"\\(1 row\\)")
        term.press("C-d")
        term.wait_for_exit()
"""

import os
import re
import shlex
import subprocess
import time
import uuid


class TmuxTerminal:
    """One program in a 200x50 terminal of its own tmux server; the pane stays after the program
    ends, with a last line "[exited N]"."""

    def __init__(self, command, env=None, cwd=None, width=200, height=50):
        self.socket = f"clickstream-test-{uuid.uuid4().hex[:8]}"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
        full_env.update(env or {})
        full_env["TERM"] = "xterm-256color"
        # Ctrl-C goes to the whole foreground process group: the wrapping shell traps it (a
        # handler, not an ignore, so the program still gets the default disposition) to stay.
        script = f"trap true INT; {shlex.join(map(str, command))}; echo \"[exited $?]\"; sleep 3600"
        self._tmux(
            "new-session", "-d", "-s", "shell", "-x", str(width), "-y", str(height),
            "sh", "-c", script, env=full_env, cwd=cwd,
        )
        self._tmux("set-option", "-t", "shell", "history-limit", "20000")

    def _tmux(self, *args, env=None, cwd=None):
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True,
            env=env, cwd=cwd, timeout=30,
        ).stdout

    def type_line(self, text):
        """Types `text` literally, then Enter."""
        self.type(text)
        self.press("Enter")

    def type(self, text):
        # tmux reads an argument ending in ';' as the end of its command: escape that one.
        self._tmux("send-keys", "-t", "shell", "-l", text[:-1] + "\\;" if text.endswith(";") else text)

    def press(self, *keys):
        """Presses named keys: Enter, C-c, C-d, Up, ..."""
        self._tmux("send-keys", "-t", "shell", *keys)

    def screen(self):
        """Everything the terminal shows and scrolled off, trailing blank lines dropped."""
        return self._tmux("capture-pane", "-p", "-J", "-t", "shell", "-S", "-").rstrip("\n")

    def wait_for(self, pattern, count=1, timeout=60):
        """Waits until `pattern` (a regex) occurs `count` times on the screen; returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if len(re.findall(pattern, text)) >= count:
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} x{count} not on the screen after {timeout}s:\n{text}")
            time.sleep(0.2)

    def wait_for_exit(self, timeout=60):
        """Waits for the program to end; returns its exit code."""
        text = self.wait_for(r"\[exited \d+\]", timeout=timeout)
        return int(re.findall(r"\[exited (\d+)\]", text)[-1])

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
